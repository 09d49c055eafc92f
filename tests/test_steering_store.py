"""db.steering on SQLite and PostgreSQL: every version of a target and an interpretation is kept, and audited."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from db.audit import Action, read_audit
from db.steering import (
    Interpretation,
    Target,
    current_interpretations,
    current_targets,
    interpretation_history,
    set_target,
    target_history,
    write_interpretation,
)
from db.tables import targets


def test_a_new_target_supersedes_the_old_one_which_stays(engine):
    first = set_target(engine, Target("region", "VR13", "plegerhulp_bereik", 0.6, "2026Q4"), actor="pl-a")
    second = set_target(engine, Target("region", "VR13", "plegerhulp_bereik", 0.65, "2027Q2"), actor="beheer")
    set_target(engine, Target("region", "VR09", "plegerhulp_bereik", 0.5, "2026Q4"), actor="pl-u")
    history = target_history(engine, "VR13", "plegerhulp_bereik")
    assert [(t.value, t.due_period, t.set_by) for t in history] == [(0.6, "2026Q4", "pl-a"), (0.65, "2027Q2", "beheer")]
    with engine.connect() as conn:
        rows = conn.execute(select(targets.c.id, targets.c.superseded_by).order_by(targets.c.id)).all()
    assert [tuple(r) for r in rows][:2] == [(first, second), (second, None)]
    current = current_targets(engine, ["VR13"])
    assert list(current) == [("VR13", "plegerhulp_bereik")] and current["VR13", "plegerhulp_bereik"].value == 0.65
    entries = read_audit(engine, action=Action.TARGET_SET)
    assert list(entries["actor"]) == ["pl-u", "beheer", "pl-a"]
    details = json.loads(entries["details"].iloc[1])
    assert details["value"] == 0.65 and details["previous"] == {"value": 0.6, "due_period": "2026Q4"}


def test_a_withdrawn_target_is_no_longer_current_but_stays_in_the_history(engine):
    set_target(engine, Target("national", "NL", "plegerhulp_uitval", 0.1, "2026Q4"), actor="beheer")
    set_target(engine, Target("national", "NL", "plegerhulp_uitval", None, None), actor="beheer")
    assert current_targets(engine) == {}
    assert [t.value for t in target_history(engine, "NL", "plegerhulp_uitval")] == [0.1, None]


def test_two_current_targets_of_one_key_are_impossible(engine):
    set_target(engine, Target("region", "VR13", "plegerhulp_bereik", 0.6, "2026Q4"), actor="a")
    with pytest.raises(IntegrityError), engine.begin() as conn:
        conn.execute(text("INSERT INTO targets (level, area_code, indicator, value, set_by, set_at) "
                          "VALUES ('region', 'VR13', 'plegerhulp_bereik', 0.7, 'b', CURRENT_TIMESTAMP)"))  # fmt: skip


def test_interpretations_keep_every_version_with_author_and_time(engine):
    write_interpretation(engine, Interpretation("region", "VR13", "2025Q3", "", "Eerste versie"), actor="pl-a")
    write_interpretation(engine, Interpretation("region", "VR13", "2025Q3", "", "Tweede versie", "Extra overleg",
                                                "Team Oost", "2026Q1"), actor="beheer")  # fmt: skip
    write_interpretation(engine, Interpretation("region", "VR13", "2025Q2", "plegerhulp_uitval", "Uitval daalt"),
                         actor="pl-a")  # fmt: skip
    write_interpretation(engine, Interpretation("municipality", "GM0384", "2025Q3", "", "Notitie"), actor="gem")
    history = interpretation_history(engine, "region", "VR13", "2025Q3")
    assert [(i.meaning, i.written_by) for i in history] == [("Eerste versie", "pl-a"), ("Tweede versie", "beheer")]
    assert all(i.written_at is not None for i in history)
    current = current_interpretations(engine, "region", ["VR13"])
    assert [(i.period, i.indicator, i.meaning) for i in current] == [
        ("2025Q3", "", "Tweede versie"), ("2025Q2", "plegerhulp_uitval", "Uitval daalt")]  # fmt: skip
    assert current[0].action == "Extra overleg" and current[0].action_by == "Team Oost"
    assert [i.meaning for i in current_interpretations(engine, "municipality", ["GM0384"])] == ["Notitie"]
    entries = read_audit(engine, action=Action.INTERPRETATION_WRITTEN)
    assert len(entries) == 4 and "Tweede versie" in entries["details"].iloc[2]
