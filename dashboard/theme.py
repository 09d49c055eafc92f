"""One look for every figure: the palette, the font, the base layout and the source texts.

Colours are Okabe–Ito (colour-blind safe) and always come with a symbol or a word on the page.
"""

from __future__ import annotations

from dashboard.format import PLOTLY_SEPARATORS

# Okabe–Ito
BLUE, SKY, ORANGE, VERMILLION = "#0072B2", "#56B4E9", "#E69F00", "#D55E00"
INK = "#1a1a1a"  # text, outlines
GREY = "#7f7f7f"  # neutral marks: inside the limits, no figure, the nation as a benchmark line
MUTED = "#595959"  # text and reference lines beside the data (7:1 on white, readable as text)
LIMIT = "#4d4d4d"  # control limits, interval whiskers, axis lines
AXIS_LINE = "#bdbdbd"
MAP_BORDER = "#333333"  # region borders on the map
SIMILAR_FILL, NO_FILL = "#BBBBBB", "#F4F4F4"  # map and table fills: like the nation, not compared
TRANSLUCENT_WHITE = "rgba(255, 255, 255, 0.85)"  # a legend over the map
GRID = "#e6e6e6"
BAND = "rgba(0, 114, 178, 0.18)"  # a 95% band around a BLUE line

FONT_FAMILY = '"Segoe UI", "Helvetica Neue", Arial, sans-serif'  # as the page (assets/style.css)
FONT = {"family": FONT_FAMILY, "size": 14, "color": INK}

SOURCE = "Bron: aanleveringen van gemeenten en ketenpartners."
MAP_SOURCE = "Kaart: CBS/Kadaster (CC BY 4.0)."


def base_layout(height: int, **extra: object) -> dict:
    """White, Dutch separators, the font, a white hover label; no title (the page's heading is the title).

    An empty template: plotly's default template costs more to copy than the rest of the figure.
    """
    return {
        "template": {},
        "separators": PLOTLY_SEPARATORS,
        "plot_bgcolor": "white",
        "paper_bgcolor": "white",
        "font": FONT,
        "height": height,
        "hoverlabel": {"bgcolor": "white", "font": {"color": INK}},
    } | extra
