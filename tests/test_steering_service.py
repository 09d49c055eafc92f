"""dashboard.steering: input checks in Dutch, rights from the session, stored on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from accounts.scope import Role, Scope
from dashboard import steering
from db.steering import current_interpretations, current_targets
from indicators.registry import Unit
from tests.dashboard_db import signed_in

PL = Scope(user="pl-amsterdam", role=Role.PROJECTLEIDER, region="VR13")
GEMEENTE = Scope(user="gem-diemen", role=Role.GEMEENTE, municipalities=frozenset({"GM0384"}))


@pytest.mark.parametrize(
    ("text", "unit", "expected"),
    [("45", Unit.PROPORTION, 0.45), ("45,5", Unit.PROPORTION, 0.455), (" 60 % ", Unit.PROPORTION, 0.6),
     ("1.234", Unit.COUNT, 1234.0), ("21,5", Unit.RATE, 21.5), ("0", Unit.PROPORTION, 0.0)],
)  # fmt: skip
def test_parse_target(text, unit, expected):
    assert steering.parse_target(text, unit) == pytest.approx(expected)


@pytest.mark.parametrize(("text", "message"), [("abc", "als getal"), ("-5", "als getal"), ("120", "tussen 0 en 100")])
def test_parse_target_refuses_with_a_dutch_message(text, message):
    with pytest.raises(ValueError, match=message):
        steering.parse_target(text, Unit.PROPORTION)


@pytest.fixture
def service(db_url, monkeypatch):
    import dashboard.data
    from db.engine import connect

    connect(db_url).dispose()
    monkeypatch.setenv("MONITOR_DB_URL", db_url)
    dashboard.data.engine.cache_clear()
    yield dashboard.data.engine()
    dashboard.data.engine().dispose()
    dashboard.data.engine.cache_clear()


def test_the_projectleider_sets_a_target_and_writes_an_interpretation_for_the_own_region(service):
    with signed_in(PL):
        assert steering.save_target("VR13", "plegerhulp_bereik", "55", "2026Q4").ok
        answer = steering.save_interpretation("VR13", "2025Q3", "", "Bereik stijgt", "Overleg", "Team", "2026Q1")
        assert answer.ok and "2025 K3" in answer.message
        assert not steering.save_target("VR25", "plegerhulp_bereik", "55", "2026Q4").ok
        assert not steering.save_target("NL", "plegerhulp_bereik", "55", "2026Q4").ok
    assert current_targets(service)["VR13", "plegerhulp_bereik"].value == pytest.approx(0.55)
    (item,) = current_interpretations(service, "region", ["VR13"])
    assert (item.meaning, item.action, item.action_by, item.action_due, item.written_by) == (
        "Bereik stijgt", "Overleg", "Team", "2026Q1", "pl-amsterdam")  # fmt: skip


def test_too_long_texts_and_missing_choices_are_refused_in_dutch(service):
    with signed_in(PL):
        long = steering.save_interpretation("VR13", "2025Q3", "", "x" * (steering.MEANING_MAX + 1))
        assert not long.ok and f"hoogstens {steering.MEANING_MAX}" in long.message
        assert "Kies het kwartaal" in steering.save_interpretation("VR13", None, "", "tekst").message
        assert "Schrijf" in steering.save_interpretation("VR13", "2025Q3", "", "  ").message
        assert "Kies het kwartaal" in steering.save_target("VR13", "plegerhulp_bereik", "50", None).message
        assert "Kies een indicator" in steering.save_target("VR13", "bestaat_niet", "50", "2026Q4").message
    assert current_targets(service) == {} and current_interpretations(service, "region", ["VR13"]) == []


def test_a_gemeente_notes_only_its_own_municipality(service):
    with signed_in(GEMEENTE):
        assert steering.save_note("GM0384", "2025Q3", "Registratie gewijzigd").ok
        assert steering.save_note("GM0363", "2025Q3", "Niet van ons").message == steering.NOTE_REFUSED
        assert "hoogstens" in steering.save_note("GM0384", "2025Q3", "x" * (steering.NOTE_MAX + 1)).message
    assert [i.meaning for i in current_interpretations(service, "municipality", ["GM0384", "GM0363"])] == [
        "Registratie gewijzigd"]  # fmt: skip
