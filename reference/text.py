"""Text normalisation shared by header and name matching."""

from __future__ import annotations

import re
import unicodedata

_NON_ALNUM = re.compile(r"[^0-9a-z]+")
_COMBINING = re.compile(r"[\u0300-\u036f]+")


def fold(text: object) -> str:
    """Lower case, no accents, punctuation as single spaces: `'s-Hertogenbosch` -> `s hertogenbosch`.

    Accents are dropped (`Fryslân` -> `fryslan`); any other character that is not a letter or digit,
    such as an en dash in `jan–mrt`, separates words.
    """
    decomposed = _COMBINING.sub("", unicodedata.normalize("NFKD", str(text)))
    return _NON_ALNUM.sub(" ", decomposed.lower()).strip()


def word_key(text: object, ignore: frozenset[str] = frozenset()) -> tuple[str, ...]:
    """Folded words, sorted and without `ignore`d words: word order and filler do not matter."""
    return tuple(sorted(set(fold(text).split()) - ignore))
