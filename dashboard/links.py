"""Addresses between the pages: a region's page (at one indicator), an indicator's definition.

The fragments are ids on the target page (`dashboard/assets/anchor.js` scrolls to them once the page
is drawn); one place, so that a link and the block it points at cannot drift apart.
"""

from __future__ import annotations

from urllib.parse import quote

REGION_PATH = "/regio"
DEFINITIONS_PATH = "/indicatoren"


def region_block_id(indicator_code: str) -> str:
    """The id of an indicator's block on the region page."""
    return f"regio-{indicator_code}"


def definition_id(indicator_code: str) -> str:
    """The id of an indicator's block on the definitions page."""
    return f"definitie-{indicator_code}"


def region_href(code: str, indicator_code: str | None = None) -> str:
    """The region page of a region code (`/regio?code=VR09`), at one indicator's block when given."""
    href = f"{REGION_PATH}?code={quote(code, safe='')}"
    return f"{href}#{region_block_id(indicator_code)}" if indicator_code else href


def definition_href(indicator_code: str) -> str:
    """The definition of an indicator (`/indicatoren#definitie-plegerhulp_uitval`)."""
    return f"{DEFINITIONS_PATH}#{definition_id(indicator_code)}"
