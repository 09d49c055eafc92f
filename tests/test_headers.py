"""The header mapping table: every element and role recognised in every spelling real exports use."""

import pytest

from ingest.elements import ELEMENTS, element_for
from ingest.headers import ROLE_SYNONYMS, Role, classify, is_total_label, role_for


@pytest.mark.parametrize("element", ELEMENTS, ids=lambda e: e.code)
def test_every_element_is_complete_and_found_by_its_template_header(element):
    assert element.label and element.meaning and element.synonyms
    assert element_for(element.label) == element.code
    assert element_for(element.code) == element.code
    for synonym in element.synonyms:
        assert element_for(synonym) == element.code, synonym


@pytest.mark.parametrize(
    "header, expected",
    [
        ("Aantal THV", "thv_totaal"),
        ("THV, aantal", "thv_totaal"),  # word order and punctuation do not matter
        ("TIJDELIJKE HUISVERBODEN (TOTAAL)", "thv_totaal"),
        ("Huisverboden", "thv_totaal"),
        ("  waarvan bij  kindermishandeling ", "thv_kindermishandeling"),
        ("Kindermishandeling THV", "thv_kindermishandeling"),
        ("Uitval", "trajecten_uitval"),
        ("Consulten FGGZ", "consultaties_fggz"),
        ("Consulten F-GGZ", None),  # not listed: added as a synonym when a source writes it
        ("Consultaties F-GGZ", "consultaties_fggz"),
        ("Cliëntdossiers (huiselijk geweld)", "dossiers_totaal"),
        ("Clientdossiers huiselijk geweld", "dossiers_totaal"),
        ("Preventief opgelegd", "thv_preventief"),
        ("Gestart met hulpverlening", "plegers_hulp_gestart"),
        ("Aantal", None),
        ("Opmerkingen", None),
    ],
)
def test_header_variations(header, expected):
    assert element_for(header) == expected


@pytest.mark.parametrize(
    "header, role",
    [
        ("Gemeente", Role.MUNICIPALITY),
        ("Gemeentecode", Role.MUNICIPALITY),
        ("CBS-code", Role.MUNICIPALITY),
        ("code gemeente", Role.MUNICIPALITY),
        ("Kwartaal", Role.PERIOD),
        ("Periode", Role.PERIOD),
        ("Jaar", Role.YEAR),
        ("Onderdeel", Role.ELEMENT),
        ("Indicator", Role.ELEMENT),
        ("Aantal", Role.VALUE),
        ("Waarde", Role.VALUE),
        ("Regio", Role.IGNORE),
        ("Opmerkingen", Role.IGNORE),
        ("THV", None),
        (2024, None),
    ],
)
def test_structural_roles(header, role):
    assert role_for(header) == role


def test_no_header_means_two_things():
    for role, names in ROLE_SYNONYMS.items():
        for name in names:
            meaning = classify(name)
            assert meaning == role, f"{name!r} is {meaning!r}, not {role}"


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Totaal", True),
        ("Regio totaal", True),
        ("TOTAAL REGIO", True),
        ("Subtotaal", True),
        ("Nederland", True),
        ("Utrecht", False),
        ("Totaalbeeld gemeente", False),
        (12, False),
        (None, False),
    ],
)
def test_total_labels(text, expected):
    assert is_total_label(text) is expected
