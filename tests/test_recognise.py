"""Recognising a header by meaning: literal cases, and properties over every template header and synonym."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ingest.elements import ELEMENT_CODES, ELEMENTS
from ingest.headers import ROLE_SYNONYMS, Role, classify
from ingest.recognise import MARGIN, WORDS_FILE, _load_words, recognise

PROPERTY = settings(max_examples=400, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
TERMS = [(element.code, text) for element in ELEMENTS for text in (element.label, *element.synonyms)]
ADDITIONS = ["(aantal)", "(x 1)", "(voorlopig)", "(2024)", "(definitief)", "[bron: registratie]", "(personen)", "*"]
UNRELATED = ["Opmerking", "Opmerkingen", "Contactpersoon", "Kolom1", "Kolom 2", "Toelichting", "Bijzonderheden",
             "Datum aangemaakt", "Naam medewerker", "E-mailadres", "Telefoonnummer", "Versie", "Wachttijd",
             "Unnamed: 3", "Column1", "ID", "Nr."]  # fmt: skip
ACCENTED = {"a": "áàä", "e": "éèë", "i": "íï", "o": "óö", "u": "úü"}


@pytest.mark.parametrize(
    "header, expected",
    [
        ("Aantal THV's (voorlopig)", "thv_totaal"),
        ("THV KM", "thv_kindermishandeling"),
        ("Huisverboden kindermishandeling (2024)", "thv_kindermishandeling"),
        ("Consulten F-GGZ", "consultaties_fggz"),
        ("FGGZ consulten", "consultaties_fggz"),
        ("GGZ", "consultaties_ggz"),
        ("LVB (voorlopig)", "consultaties_lvb"),
        ("Tijdelijke huisverbodne (totaal)", "thv_totaal"),  # a typo
        ("Uitvla", "trajecten_uitval"),
        ("Plegers in beeld (bron: Veilig Thuis)", "plegers_in_beeld"),
        ("Pleger trajecten afgesloten", "trajecten_afgesloten"),
        ("Naam van de gemeente", Role.MUNICIPALITY),
        ("Gemeentenaam_1", Role.MUNICIPALITY),
        ("Perioden", Role.PERIOD),
        ("RegioS", Role.MUNICIPALITY),
        ("Wijken en buurten", Role.MUNICIPALITY),
        # never guessed: a close call or a part of a word is no meaning
        ("Dossiers met plan", None),
        ("Opmerking over huisverboden", None),
        ("Zorg", None),
        ("Trajecten", None),
        ("Verslag", None),
    ],
)
def test_headers_by_meaning(header, expected):
    assert classify(header) == expected


def test_a_close_call_keeps_both_suggestions_best_first():
    reading = recognise("Dossiers met plan")
    assert reading.meaning is None
    assert reading.suggestions[:2] == ("dossiers_totaal", "dossiers_met_veiligheidsplan")


def test_every_abbreviation_has_its_meaning_and_source():
    words = _load_words(WORDS_FILE)
    assert words[("thv",)] == ("tijdelijk", "huisverbod")
    assert words[("km",)] == ("kindermishandeling",)


def test_an_abbreviation_row_without_a_source_is_refused(tmp_path):
    path = tmp_path / "words.csv"
    path.write_text("word,means,source\nthv,tijdelijk huisverbod,\n", encoding="utf-8")
    with pytest.raises(ValueError, match="source"):
        _load_words(path)


@pytest.mark.parametrize("code, text", TERMS, ids=[f"{c}:{t}" for c, t in TERMS])
def test_no_header_means_two_elements(code, text):
    """Every listed header reads as its own element, clear of every other element by the margin."""
    reading = recognise(text)
    assert reading.meaning == code
    others = [score for meaning, score in reading.candidates if meaning != code and meaning in ELEMENT_CODES]
    assert all(score <= reading.score - MARGIN for score in others), reading.candidates


def _typo(word: str, kind: int, at: int) -> str:
    i = at % (len(word) - 1)
    if kind == 0:  # a letter dropped
        return word[:i] + word[i + 1 :]
    if kind == 1:  # two letters swapped
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    if kind == 2:  # a letter doubled
        return word[:i] + word[i] + word[i:]
    return word[:i] + ("x" if word[i] != "x" else "q") + word[i + 1 :]  # a letter replaced


@st.composite
def mangled(draw, texts):
    """A header as a real export may write it: case, accents, punctuation, an addition, one typo."""
    code, text = draw(st.sampled_from(texts))
    words = text.split()
    long_words = [i for i, w in enumerate(words) if len(w) >= 6 and w.isalpha()]
    if long_words and draw(st.booleans()):
        i = draw(st.sampled_from(long_words))
        words[i] = _typo(words[i], draw(st.integers(0, 3)), draw(st.integers(0, 100)))
    separator = draw(st.sampled_from([" ", "  ", "_", " - ", "/", ", "]))
    header = separator.join(words)
    chars = []
    for char in header:
        if char.lower() in ACCENTED and draw(st.integers(0, 9)) == 0:
            char = draw(st.sampled_from(ACCENTED[char.lower()]))
        chars.append(char.upper() if draw(st.booleans()) else char.lower())
    header = "".join(chars)
    if draw(st.booleans()):
        header = f"{header} {draw(st.sampled_from(ADDITIONS))}"
    # More than three words ending in a full stop is a sentence (an instruction), never a header.
    words_now = [w for w in header.split() if any(c.isalnum() for c in w)]
    header += draw(st.sampled_from(["", ":", " "] if len(words_now) > 3 else ["", ":", ".", " "]))
    return code, header


@PROPERTY
@given(mangled(TERMS))
def test_every_template_header_and_synonym_survives_how_exports_write_it(case):
    code, header = case
    assert classify(header) == code, (header, recognise(header).candidates)


@PROPERTY
@given(mangled([(None, text) for text in UNRELATED]))
def test_unrelated_headers_never_map_to_an_element_or_a_data_role(case):
    _, header = case
    meaning = classify(header)
    assert meaning not in ELEMENT_CODES, (header, meaning)
    assert meaning not in (Role.MUNICIPALITY, Role.PERIOD, Role.YEAR, Role.VALUE, Role.ELEMENT), (header, meaning)


@PROPERTY
@given(mangled([(str(role), name) for role, names in ROLE_SYNONYMS.items() for name in names]))
def test_role_names_survive_case_accents_and_punctuation(case):
    role, header = case
    meaning = classify(header)
    assert meaning is None or str(meaning) == role or meaning == Role.IGNORE, (header, meaning)
