"""Text normalisation shared by header and name matching."""

from __future__ import annotations

import re
import unicodedata

_NON_ALNUM = re.compile(r"[^0-9a-z]+")


def fold(text: object) -> str:
    """Lower case, no accents, punctuation as single spaces: `'s-Hertogenbosch` -> `s hertogenbosch`."""
    decomposed = unicodedata.normalize("NFKD", str(text))
    ascii_only = decomposed.encode("ascii", "ignore").decode("ascii").lower()
    return _NON_ALNUM.sub(" ", ascii_only).strip()


def word_key(text: object, ignore: frozenset[str] = frozenset()) -> tuple[str, ...]:
    """Folded words, sorted and without `ignore`d words: word order and filler do not matter."""
    return tuple(sorted(set(fold(text).split()) - ignore))
