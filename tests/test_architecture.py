"""The layout: one package per concern, the lower ones knowing nothing of the higher, no import circles.

config < reference < db < indicators < ingest < accounts < dashboard; sample_data and bench use them all.
Every import counts, also one inside a function (a hidden circle is still a circle).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# package -> the packages it may import (besides itself)
ALLOWED = {
    "config": set(),
    "db": {"config", "reference"},  # reference.periods: a quarter is a basic type
    "reference": {"config"},
    "indicators": {"config", "db", "reference"},
    "ingest": {"config", "db", "reference", "indicators"},
    "accounts": {"config", "db", "reference", "indicators", "ingest"},
    "dashboard": {"config", "db", "reference", "indicators", "ingest", "accounts"},
    "sample_data": {"config", "db", "reference", "indicators", "ingest", "accounts"},
}


def _top_level_imports(path: Path) -> set[str]:
    """The top-level names of every package a module imports, anywhere in it."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
    return found


def _imports(path: Path) -> set[str]:
    """The first-party packages a module imports, anywhere in it."""
    return _top_level_imports(path) & set(ALLOWED)


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_a_package_imports_only_the_layers_below_it(package):
    wrong = {
        f"{path.relative_to(ROOT)} imports {other}"
        for path in (ROOT / package).rglob("*.py")
        for other in _imports(path) - ALLOWED[package] - {package}
    }
    assert not wrong, sorted(wrong)


def test_the_allowed_graph_has_no_circle():
    def reaches(start: str, goal: str, seen: frozenset = frozenset()) -> bool:
        return any(nxt == goal or (nxt not in seen and reaches(nxt, goal, seen | {nxt})) for nxt in ALLOWED[start])

    assert not [p for p in ALLOWED if reaches(p, p)]


def test_every_package_is_in_the_layering():
    packages = {p.name for p in ROOT.iterdir() if (p / "__init__.py").is_file()} - {"tests", "bench"}
    assert packages == set(ALLOWED)


def test_figures_return_data_or_figures_not_dash_components():
    """Pages pair with figures: what a page computes lives in dashboard/figures/, free of Dash."""
    wrong = [p.name for p in (ROOT / "dashboard" / "figures").glob("*.py") if "dash" in _top_level_imports(p)]
    assert not wrong, wrong
