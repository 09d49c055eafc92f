"""Dutch notation for the interface: `12,5%`, `1.234`, `2024 K1`."""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal

import pandas as pd

from reference.periods import Period

PLOTLY_SEPARATORS = ",."  # plotly layout.separators: decimal comma, thousands dot


def _missing(x: object) -> bool:
    return x is None or x is pd.NA or (isinstance(x, float) and math.isnan(x))


def number(x: object, digits: int = 0) -> str:
    """`1234` -> `1.234`; `1234.5, 1` -> `1.234,5`; missing -> `–`."""
    if _missing(x):
        return "–"
    # Halves round up, as a Dutch reader expects (36,25 -> 36,3), not to the even digit.
    rounded = Decimal(repr(float(x))).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)
    text = f"{rounded:,.{digits}f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def percent(fraction: object, digits: int = 1) -> str:
    """`0.125` -> `12,5%`; missing -> `–`."""
    return "–" if _missing(fraction) else f"{number(float(fraction) * 100, digits)}%"


def period_label(code: str) -> str:
    """`2024Q1` -> `2024 K1`."""
    return Period.parse_code(code).label


def unit_title(indicator) -> str:
    """An indicator's axis title and column suffix: `Percentage`, `Per 100.000 inwoners`, `Aantal`."""
    from indicators.registry import Unit

    if indicator.unit is Unit.PROPORTION:
        return "Percentage"
    if indicator.unit is Unit.RATE:
        return f"Per {number(indicator.per)} inwoners"
    return "Aantal"


SUPPRESSED_TEXT = "afgeschermd"


def shown_text(shown: object, text: str) -> str:
    """A value's text, or what stands in for it when it is suppressed for this user: the `shown`
    column of `dashboard.data.indicators` holds `<5` or `` (afgeschermd), <NA> when published."""
    if shown is None or shown is pd.NA or (isinstance(shown, float) and shown != shown):
        return text
    return str(shown) or SUPPRESSED_TEXT
