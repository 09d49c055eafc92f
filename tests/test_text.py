"""Text normalisation for matching headers and names: case, accents, punctuation, word order, filler."""

import pytest

from ingest.elements import FILLER
from reference.text import fold, word_key


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Utrecht", "utrecht"),
        ("AMSTERDAM", "amsterdam"),
        ("'s-Hertogenbosch", "s hertogenbosch"),
        ("’s-Gravenhage", "s gravenhage"),  # a typographic apostrophe
        ("Súdwest-Fryslân", "sudwest fryslan"),
        ("Cliëntdossiers (huiselijk geweld)", "clientdossiers huiselijk geweld"),
        ("Bergen (NH.)", "bergen nh"),
        ("  THV,  aantal  ", "thv aantal"),
        ("Consultaties F-GGZ", "consultaties f ggz"),
        ("THV\u00a0aantal", "thv aantal"),  # a non-breaking space
        ("ＴＨＶ", "thv"),  # full-width letters
        ("GM0363", "gm0363"),
        (363, "363"),
        ("2024-Q1", "2024 q1"),
        ("!!!", ""),
        ("", ""),
        pytest.param(
            "jan–mrt 2024", "jan mrt 2024",
        ),
        pytest.param(
            "Huisverboden—totaal", "huisverboden totaal",
        ),
    ],
)  # fmt: skip
def test_fold(text, expected):
    assert fold(text) == expected


@pytest.mark.parametrize(
    "text, ignore, expected",
    [
        ("Aantal THV", FILLER, ("thv",)),
        ("THV, aantal", FILLER, ("thv",)),
        ("thv (aantal)", FILLER, ("thv",)),
        ("Kindermishandeling THV", FILLER, ("kindermishandeling", "thv")),
        ("THV kindermishandeling", FILLER, ("kindermishandeling", "thv")),
        ("waarvan bij kindermishandeling", FILLER, ("kindermishandeling",)),
        ("Tijdelijke huisverboden (totaal)", FILLER, ("huisverboden", "tijdelijke")),
        ("Cliëntdossiers (huiselijk geweld)", FILLER, ("clientdossiers", "geweld", "huiselijk")),
        ("GGZ GGZ", FILLER, ("ggz",)),  # a repeated word counts once
        ("Aantal van de", FILLER, ()),
        ("Aantal THV", frozenset(), ("aantal", "thv")),  # nothing ignored unless asked
        ("Gemeente code", frozenset(), ("code", "gemeente")),
        ("Code - gemeente", frozenset(), ("code", "gemeente")),
    ],
)
def test_word_key(text, ignore, expected):
    assert word_key(text, ignore) == expected
