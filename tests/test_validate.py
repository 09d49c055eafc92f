"""Rules across records: one value per municipality, quarter and element; every part within its total."""

import pytest

from ingest.elements import ELEMENTS, ELEMENTS_BY_CODE
from ingest.records import Record
from ingest.validate import check_parts, deduplicate
from reference.areas import load_reference
from reference.periods import Period

REF = load_reference()
Q1, Q2 = Period(2024, 1), Period(2024, 2)
PARTS = [(e.code, e.part_of) for e in ELEMENTS if e.part_of]  # (part, whole), from the registry
PART_IDS = [f"{part}<={whole}" for part, whole in PARTS]


def record(element, value, cell, *, municipality="GM0344", period=Q1, suppressed=False, sheet="Blad1"):
    return Record(municipality, period, element, value, suppressed, sheet, cell)


def where(problems):
    return [(p.sheet, p.cell, p.code) for p in problems]


def test_the_registry_holds_the_part_rules_of_the_domain():
    assert sorted(PARTS) == [
        ("dossiers_met_veiligheidsplan", "dossiers_totaal"),
        ("plegers_hulp_gestart", "plegers_in_beeld"),
        ("thv_kindermishandeling", "thv_totaal"),
        ("thv_preventief", "thv_totaal"),
        ("trajecten_uitval", "trajecten_afgesloten"),
    ]


# --- check_parts --------------------------------------------------------------------------------


@pytest.mark.parametrize("part, whole", PARTS, ids=PART_IDS)
def test_a_part_larger_than_its_whole_is_refused_at_the_part(part, whole):
    records = [record(whole, 4, "C2"), record(part, 5, "D2")]
    problems = check_parts(records, "upload.xlsx", REF)
    assert where(problems) == [("Blad1", "D2", "exceeds_total")]
    assert problems[0].message == (
        f"'{ELEMENTS_BY_CODE[part].label}' (5) is groter dan '{ELEMENTS_BY_CODE[whole].label}' (4) voor Utrecht "
        "in 2024 K1. Het deel kan niet groter zijn dan het geheel; controleer beide cellen."
    )


@pytest.mark.parametrize("part, whole", PARTS, ids=PART_IDS)
@pytest.mark.parametrize("part_value, whole_value", [(4, 4), (0, 4), (0, 0)])
def test_a_part_up_to_its_whole_is_accepted(part, whole, part_value, whole_value):
    records = [record(whole, whole_value, "C2"), record(part, part_value, "D2")]
    assert check_parts(records, "upload.xlsx", REF) == []


@pytest.mark.parametrize("part, whole", PARTS, ids=PART_IDS)
@pytest.mark.parametrize(
    "whole_cell, part_cell",
    [
        ((None, True), (5, False)),
        ((None, False), (5, False)),
        (None, (5, False)),  # the whole not delivered at all
        ((0, False), (None, True)),
        ((0, False), (None, False)),
    ],
    ids=["whole-suppressed", "whole-unknown", "whole-absent", "part-suppressed", "part-unknown"],
)
def test_an_unknown_part_or_whole_never_triggers_the_rule(part, whole, whole_cell, part_cell):
    records = [record(part, part_cell[0], "D2", suppressed=part_cell[1])]
    if whole_cell is not None:
        records.insert(0, record(whole, whole_cell[0], "C2", suppressed=whole_cell[1]))
    assert check_parts(records, "upload.xlsx", REF) == []


@pytest.mark.parametrize(
    "whole, part",
    [
        (record("thv_totaal", 1, "C2", municipality="GM0355"), record("thv_preventief", 5, "D2")),
        (record("thv_totaal", 1, "C2", period=Q2), record("thv_preventief", 5, "D2")),
        (record("plegers_in_beeld", 1, "C2"), record("thv_preventief", 5, "D2")),
    ],
    ids=["other-municipality", "other-quarter", "other-whole"],
)
def test_a_part_is_compared_with_its_own_whole_only(whole, part):
    assert check_parts([whole, part], "upload.xlsx", REF) == []


def test_every_part_too_large_is_reported():
    records = [
        record("thv_totaal", 2, "C2"), record("thv_kindermishandeling", 3, "D2"), record("thv_preventief", 4, "E2"),
        record("thv_totaal", 2, "C3", period=Q2), record("thv_kindermishandeling", 2, "D3", period=Q2),
        record("dossiers_totaal", 10, "F2"), record("dossiers_met_veiligheidsplan", 11, "G2"),
    ]  # fmt: skip
    problems = check_parts(records, "upload.xlsx", REF)
    assert where(problems) == [
        ("Blad1", "D2", "exceeds_total"),
        ("Blad1", "E2", "exceeds_total"),
        ("Blad1", "G2", "exceeds_total"),
    ]


# --- deduplicate --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "records, kept_cells, expected",
    [
        ([record("thv_totaal", 3, "C2"), record("thv_totaal", 3, "C3")], ["C2"], []),
        ([record("thv_totaal", 3, "C2"), record("thv_totaal", 3, "C7", sheet="Blad2")], ["C2"], []),
        ([record("thv_totaal", None, "C2", suppressed=True), record("thv_totaal", None, "C3", suppressed=True)],
         ["C2"], []),
        ([record("thv_totaal", 3, "C2"), record("thv_totaal", 4, "C3")], ["C2"],
         [("Blad1", "C2", "conflicting_values")]),
        ([record("thv_totaal", 3, "C2"), record("thv_totaal", None, "C3", suppressed=True)], ["C2"],
         [("Blad1", "C2", "conflicting_values")]),
        ([record("thv_totaal", 0, "C2"), record("thv_totaal", None, "C3", suppressed=True)], ["C2"],
         [("Blad1", "C2", "conflicting_values")]),
        ([record("thv_totaal", 3, "C2"), record("thv_totaal", 4, "C2", period=Q2),
          record("thv_totaal", 5, "C2", municipality="GM0355"), record("thv_preventief", 6, "D2")],
         ["C2", "C2", "C2", "D2"], []),
    ],
    ids=["identical", "identical-on-two-sheets", "both-suppressed", "conflicting", "known-and-suppressed",
         "zero-and-suppressed", "different-keys"],
)  # fmt: skip
def test_one_record_per_key(records, kept_cells, expected):
    kept, problems = deduplicate(records, "upload.xlsx", REF)
    assert [r.cell for r in kept] == kept_cells
    assert where(problems) == expected


@pytest.mark.parametrize(
    "second, cells",
    [
        (record("thv_totaal", 4, "C3"), "Blad1!C2, Blad1!C3"),
        (record("thv_totaal", 4, "F9", sheet="2024 K1"), "Blad1!C2, 2024 K1!F9"),
    ],
)
def test_a_conflict_names_both_cells(second, cells):
    _, problems = deduplicate([record("thv_totaal", 3, "C2"), second], "upload.xlsx", REF)
    assert [p.message for p in problems] == [
        f"Voor Utrecht in 2024 K1 staat 'Tijdelijke huisverboden (totaal)' meer dan eens met verschillende waarden "
        f"({cells}). Laat één waarde staan."
    ]
