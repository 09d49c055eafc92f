"""dashboard.theme: one palette, font and source text; the figure and page modules define none of their own."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from dashboard import theme

ROOT = Path(__file__).resolve().parent.parent
STYLE = re.compile(r"#[0-9a-fA-F]{6}\b|rgba?\(|Segoe UI|\"Bron: ")
MODULES = sorted(
    [*ROOT.glob("dashboard/figures/*.py"), *ROOT.glob("dashboard/pages/*.py"), ROOT / "dashboard/components.py"]
)


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_no_module_has_colours_fonts_or_sources_of_its_own(path):
    found = [f"{path.name}:{n}: {line.strip()}" for n, line in enumerate(path.read_text().splitlines(), 1)
             if STYLE.search(line.split("#  ")[0]) and not line.lstrip().startswith("#")]  # fmt: skip
    assert not found, "take these from dashboard.theme:\n" + "\n".join(found)


def test_base_layout_lets_a_figure_override_and_keeps_the_font():
    layout = theme.base_layout(300, margin={"l": 1}, font={"size": 10} | theme.FONT)
    assert layout["height"] == 300 and layout["margin"] == {"l": 1} and layout["font"]["family"] == theme.FONT_FAMILY
    assert layout["separators"] == ",."
