"""Insiders below the nation: who knows which municipalities' figures, and so which public cells in part.

A user with full detail on some municipalities (a gemeente its own, a ketenpartner the ones it
delivers for, a projectleider its region's) knows their figures exactly, and with them a part of
every public cell that holds them: the region's and the nation's, per quarter and per year.
`suppression` uses that part twice: a published cell whose rest (the cell minus the part) is small
reveals the rest's small figure, so it is hidden; and the audit gives each insider the part as a
lower bound on every hidden cell that holds it, and the cells it knows whole (every municipality
that reported in it is its own) as known.

Which scopes: every one that can exist, not only the accounts there are now. Any municipality can
get a gemeente account and any region a projectleider (so every municipality, with the codes merged
into it, and every region are scopes), and a pattern that depended on today's accounts would change
when an account is added, and two patterns over the same figures can be differenced. Only a
ketenpartner's list is free; those come from the accounts (`ketenpartner_scopes`), and the stored
pattern is keyed on them (`indicators.table`), so a new list recomputes it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

import numpy as np
import pandas as pd
from sqlalchemy import Connection, Engine, select

from db.engine import reading
from reference.areas import Reference


def insider_scopes(
    municipalities: Iterable[str], reference: Reference, lists: Iterable[Iterable[str]] = ()
) -> list[frozenset[str]]:
    """Every full-detail scope as the municipality codes (of the table) it knows: each current
    municipality with the codes merged into it, each region, and each of `lists` (a ketenpartner's
    municipalities: a listed code covers the codes merged into it)."""
    codes = sorted(set(municipalities))
    current = {code: reference.current_code(code) for code in codes}
    found: dict[frozenset[str], None] = {}
    for successor in sorted(set(current.values())):
        found[frozenset(c for c in codes if current[c] == successor)] = None
    for region in sorted(reference.regions):
        found[frozenset(c for c in codes if _region(reference, c) == region)] = None
    for listed in lists:
        wanted = set(listed)
        found[frozenset(c for c in codes if c in wanted or current[c] in wanted)] = None
    return [scope for scope in found if scope]


def _region(reference: Reference, code: str) -> str | None:
    region = reference.region_of(code)
    return region.code if region else None


def ketenpartner_scopes(bind: Engine | Connection) -> list[tuple[str, ...]]:
    """The municipality lists of the ketenpartner accounts in the database (disabled ones too: they
    may be enabled again, and what they saw stays known), sorted and distinct."""
    from db.tables import users

    with reading(bind) as conn:
        rows = conn.execute(select(users.c.municipalities).where(users.c.role == "ketenpartner")).scalars().all()
    return sorted({tuple(sorted(json.loads(text or "[]"))) for text in rows} - {()})


def members(area_codes: np.ndarray, municipalities: list[str], reference: Reference) -> np.ndarray:
    """areas x municipalities: whether the municipality's figures count in the area (level, code)."""
    regions = [_region(reference, m) for m in municipalities]
    rows = []
    for level, code in area_codes:
        if level == "national":
            rows.append(np.ones(len(municipalities), bool))
        elif level == "region":
            rows.append(np.array([r == code for r in regions], bool))
        else:
            rows.append(np.array([m == code for m in municipalities], bool))
    return np.array(rows).reshape(len(area_codes), len(municipalities))


def knowledge(
    values: np.ndarray, membership: np.ndarray, scopes: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per scope and cell (area x period, flattened as the grid does): the part of the cell the
    scope knows, whether it knows the cell whole (all its reporters are the scope's, at least one),
    and whether it has a reporter in it. `values`: municipalities x periods, nan where not reported;
    `membership`: areas x municipalities; `scopes`: scopes x municipalities."""
    reported = (~np.isnan(values)).astype(float)
    known = np.nan_to_num(values)
    n_scopes, n_areas, n_periods = len(scopes), len(membership), values.shape[1]
    part = np.zeros((n_scopes, n_areas, n_periods))
    theirs = np.zeros((n_scopes, n_areas, n_periods))
    everyone = membership.astype(float) @ reported  # areas x periods
    weights = scopes.astype(float)
    for a in range(n_areas):
        inside = np.flatnonzero(membership[a])
        part[:, a] = weights[:, inside] @ known[inside]
        theirs[:, a] = weights[:, inside] @ reported[inside]
    whole = (theirs == everyone[None]) & (theirs > 0)
    return part.reshape(n_scopes, -1), whole.reshape(n_scopes, -1), theirs.reshape(n_scopes, -1) > 0


def municipal_values(rows: pd.DataFrame, municipalities: list[str], period_codes: np.ndarray) -> dict[str, np.ndarray]:
    """Per indicator of `rows` (municipality rows of the full table): numerator and denominator as
    municipalities x periods, years (a period without "Q") summed from their quarters."""
    index = {m: i for i, m in enumerate(municipalities)}
    period_index = {p: i for i, p in enumerate(period_codes)}
    out: dict[str, np.ndarray] = {}
    for (code, column), _ in _pairs(rows):
        mine = rows.loc[rows["indicator"].astype(str) == code]
        grid = np.full((len(municipalities), len(period_codes)), np.nan)
        at_m = mine["area_code"].astype(str).map(index)
        at_p = mine["period"].astype(str).map(period_index)
        keep = at_m.notna() & at_p.notna()
        grid[at_m[keep].astype(int), at_p[keep].astype(int)] = mine.loc[keep, column].to_numpy(float, na_value=np.nan)
        for p, period in enumerate(period_codes):
            if "Q" not in period:
                quarters = [period_index[q] for q in (f"{period}Q{k}" for k in range(1, 5)) if q in period_index]
                block = grid[:, quarters]
                grid[:, p] = np.where(np.isnan(block).all(axis=1), np.nan, np.nansum(block, axis=1))
        out[f"{code}:{column}"] = grid
    return out


def _pairs(rows: pd.DataFrame) -> Iterable[tuple[tuple[str, str], None]]:
    for code in sorted(rows["indicator"].astype(str).unique()):
        for column in ("numerator", "denominator"):
            yield (code, column), None
