"""Recognise a column header by what it means: scored against every element's and role's terms.

The terms are data: each element's template header and synonyms (`elements.ELEMENTS`), each
role's names (`headers.ROLE_SYNONYMS`), and the abbreviations and word variants in
`header_words.csv` (`THV` means `tijdelijk huisverbod`, `consulten` means `consultaties`).
A header and a term are compared word by word with rapidfuzz, after folding (case, accents,
punctuation), dropping filler words and numbers, and expanding abbreviations on both sides:

- every word of the term should be in the header (`covered`; a word within a small typo counts),
- and the header should be explained by the term (`explained`; words in brackets weigh less, so
  `LVB (voorlopig)` is still LVB, while `Opmerking over huisverboden` is not plainly a count).

The best meaning is taken when it scores `ACCEPT` or more and no other meaning comes within
`MARGIN` of it; a term that explains only part of what the best one explains (`Plegers` beside
`Plegers in beeld`) is a refinement, not a competitor. Anything else is not guessed: the reading
has no meaning, only `candidates`, and the pipeline asks the uploader.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
from rapidfuzz import fuzz
from rapidfuzz.process import cdist, extractOne

from reference.text import fold

WORDS_FILE = Path(__file__).with_name("header_words.csv")

ACCEPT = 0.75  # a clear match scores at least this (1.0: every word, nothing else)
MARGIN = 0.1  # and beats every other meaning by at least this much
SUGGEST = 0.3  # a meaning scoring this is offered as a suggestion in the question
BRACKET_WEIGHT = 0.25  # a word inside brackets is a qualifier: it weighs a quarter
COMPOUND = 0.7  # one word inside a compound (`plan` in `veiligheidsplan`): a hint, never enough on its own
_EXACT_ONLY = 3  # words this short (abbreviations: GGZ, LVB, THV) must match exactly
_BRACKETED = re.compile(r"\(([^()]*)\)|\[([^\[\]]*)\]")


@dataclass(frozen=True)
class Term:
    """One way of writing a meaning: its folded, expanded words without filler."""

    meaning: str  # an element code, or a role's value ("municipality", "ignore"...)
    text: str
    words: tuple[str, ...]


@dataclass(frozen=True)
class Reading:
    """What a header was read as: `meaning` when clear, else None; `candidates` best first."""

    header: str
    meaning: str | None
    score: float
    candidates: tuple[tuple[str, float], ...] = ()

    @property
    def suggestions(self) -> tuple[str, ...]:
        return tuple(meaning for meaning, _ in self.candidates)


def _load_words(path: Path = WORDS_FILE) -> dict[tuple[str, ...], tuple[str, ...]]:
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        if not (row["word"].strip() and row["means"].strip() and row["source"].strip()):
            raise ValueError(f"{path.name}: every row needs a word, its meaning and its source: {row}")
    return {tuple(fold(row["word"]).split()): tuple(fold(row["means"]).split()) for row in rows}


EXPANSIONS = _load_words()
_LONGEST_EXPANSION = max(len(key) for key in EXPANSIONS)
_LONG_KEYS = [key[0] for key in EXPANSIONS if len(key) == 1 and len(key[0]) > 4]  # `dropout`, `consulten`


def _expand(words: list[str]) -> list[str]:
    """Abbreviations and variants replaced by their meaning, longest phrase first."""
    result, i = [], 0
    while i < len(words):
        for size in range(min(_LONGEST_EXPANSION, len(words) - i), 0, -1):
            key = tuple(words[i : i + size])
            if key in EXPANSIONS:
                result.extend(EXPANSIONS[key])
                i += size
                break
        else:
            close = extractOne(words[i], _LONG_KEYS, scorer=fuzz.ratio, score_cutoff=80) if len(words[i]) > 4 else None
            result.extend(EXPANSIONS[(close[0],)] if close and close[1] < 100 else (words[i],))
            i += 1
    return result


def prepare(text: str, filler: frozenset[str]) -> tuple[tuple[str, ...], tuple[float, ...]]:
    """The words of a header or term that carry meaning, each with its weight."""
    inside = {
        word for match in _BRACKETED.finditer(text) for part in match.groups() if part for word in fold(part).split()
    }
    words, weights = [], []
    for word in _expand(fold(text).split()):
        if word in filler or word.isdigit() or len(word) < 2 or word in words:
            continue
        words.append(word)
        weights.append(len(word) * (BRACKET_WEIGHT if word in inside else 1.0))
    return tuple(words), tuple(weights)


def _similarity(ratio: np.ndarray, partial: np.ndarray, shorter: np.ndarray, longer: np.ndarray) -> np.ndarray:
    """Word similarity in 0..1: equal is 1, a small typo costs a little, one word inside a compound
    (`plan` in `veiligheidsplan`) counts as a near match; words of three letters or less must be equal."""
    cutoff = np.where(shorter <= _EXACT_ONLY, 100.0, np.where(shorter == 4, 75.0, 80.0))
    typo = np.where(ratio >= cutoff, 0.85 + 0.15 * (ratio - cutoff) / np.maximum(100.0 - cutoff, 1.0), 0.0)
    compound = np.where((partial >= 100.0) & (shorter > _EXACT_ONLY) & (longer >= shorter + 3), COMPOUND, 0.0)
    return np.where(ratio >= 100.0, 1.0, np.maximum(typo, compound))


class Matcher:
    """Scores headers against a fixed list of terms; one instance per kind of filler."""

    def __init__(self, terms: list[Term]):
        self.terms = terms
        self.vocabulary = sorted({word for term in terms for word in term.words})
        self._index = {word: i for i, word in enumerate(self.vocabulary)}
        self._lengths = np.array([len(word) for word in self.vocabulary], dtype=float)
        self._term_columns = [np.array([self._index[w] for w in term.words]) for term in terms]
        self._term_weights = [np.array([len(w) for w in term.words], dtype=float) for term in terms]

    def score(self, words: tuple[str, ...], weights: tuple[float, ...]) -> list[tuple[float, Term, frozenset[str]]]:
        """(score, term, header words it explains) for every term sharing a word with the header."""
        if not words or not self.vocabulary:
            return []
        ratio = cdist(list(words), self.vocabulary, scorer=fuzz.ratio, dtype=np.float32)
        partial = cdist(list(words), self.vocabulary, scorer=fuzz.partial_ratio, dtype=np.float32)
        header_lengths = np.array([len(w) for w in words], dtype=float)[:, None]
        shorter = np.minimum(header_lengths, self._lengths[None, :])
        longer = np.maximum(header_lengths, self._lengths[None, :])
        similar = _similarity(ratio, partial, shorter, longer)
        hits = set(np.nonzero(similar.max(axis=0))[0].tolist())
        if not hits:
            return []
        header_weights = np.array(weights)
        plain = {r for r, w in enumerate(words) if header_weights[r] >= len(w)}  # outside brackets
        results = []
        for term, columns, term_weights in zip(self.terms, self._term_columns, self._term_weights, strict=True):
            if not hits.intersection(columns.tolist()):
                continue
            block = similar[:, columns]  # header words x term words
            best_rows = block.argmax(axis=0)
            best = block.max(axis=0)
            covered = float((best * term_weights).sum() / term_weights.sum())
            explained_rows = {int(r) for r, s in zip(best_rows, best, strict=True) if s > 0}
            if plain and not explained_rows & plain:
                continue  # only a qualifier in brackets matches: `ID (aantal)` is no count
            explained = float(sum(header_weights[r] for r in explained_rows) / header_weights.sum())
            results.append((covered * (0.6 + 0.4 * explained), term, frozenset(words[r] for r in explained_rows)))
        return results


def decide(header: str, scored: list[tuple[float, Term, frozenset[str]]]) -> Reading:
    """The clear best meaning, or none with the candidates; see the module's docstring."""
    best_per_meaning: dict[str, tuple[float, frozenset[str]]] = {}
    for score, term, rows in scored:
        if term.meaning not in best_per_meaning or score > best_per_meaning[term.meaning][0]:
            best_per_meaning[term.meaning] = (score, rows)
    ranked = sorted(best_per_meaning.items(), key=lambda item: -item[1][0])
    candidates = tuple((meaning, round(score, 3)) for meaning, (score, _) in ranked if score >= SUGGEST)
    if not ranked or ranked[0][1][0] < ACCEPT:
        return Reading(header, None, ranked[0][1][0] if ranked else 0.0, candidates)
    from ingest.elements import FILLER

    meaning, (score, rows) = ranked[0]
    # A meaning explaining only words the best one explains too, or filler (`Totaal` beside
    # `Dossiers totaal`), only refines it; one explaining other words is a rival.
    rivals = [
        other
        for other, (other_score, other_rows) in ranked[1:]
        if other_score > score - MARGIN and not (other_rows - FILLER) < (rows - FILLER)
    ]
    if rivals:
        return Reading(header, None, score, candidates)
    return Reading(header, meaning, score, candidates)


@lru_cache(maxsize=1)
def _terms() -> list[Term]:
    from ingest.elements import ELEMENTS, FILLER
    from ingest.headers import ROLE_FILLER, ROLE_SYNONYMS

    terms = []
    for element in ELEMENTS:
        for text in (element.label, *element.synonyms):
            terms.append(Term(element.code, text, prepare(text, FILLER)[0]))
    for role, names in ROLE_SYNONYMS.items():
        terms += [Term(str(role), name, prepare(name, ROLE_FILLER)[0]) for name in names]
    return [term for term in terms if term.words]


@lru_cache(maxsize=1)
def _matchers() -> tuple[Matcher, Matcher]:
    from ingest.elements import ELEMENT_CODES

    terms = _terms()
    return (
        Matcher([t for t in terms if t.meaning in ELEMENT_CODES]),
        Matcher([t for t in terms if t.meaning not in ELEMENT_CODES]),
    )


@lru_cache(maxsize=16384)  # the same headers and labels recur in every file of a source
def recognise(header: str) -> Reading:
    """What a header means, scored against every element and role (see the module's docstring)."""
    from ingest.elements import FILLER
    from ingest.headers import ROLE_FILLER

    elements, roles = _matchers()
    scored = elements.score(*prepare(header, FILLER)) + roles.score(*prepare(header, ROLE_FILLER))
    return decide(header, scored)
