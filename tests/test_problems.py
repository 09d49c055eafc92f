"""ingest.problems: every code in the message table names the step that produces it, and that step does."""

from __future__ import annotations

import ast
import datetime as dt
from pathlib import Path

import pytest

from ingest.pipeline import read_file
from ingest.problems import MESSAGES, STEPS, Severity, problem
from tests.workbooks import write_workbook

ROOT = Path(__file__).resolve().parent.parent
STEP_MODULES = {step: ROOT / "ingest" / f"{step}.py" for step in STEPS} | {"intake": ROOT / "dashboard" / "intake.py"}


def _string_constants(path: Path) -> set[str]:
    return {node.value for node in ast.walk(ast.parse(path.read_text())) if isinstance(node, ast.Constant)
            and isinstance(node.value, str)}  # fmt: skip


def test_every_step_is_a_module():
    assert all(path.is_file() for path in STEP_MODULES.values()), STEP_MODULES


@pytest.mark.parametrize("code", sorted(MESSAGES))
def test_each_code_is_produced_by_the_step_it_names(code):
    severity, step, template = MESSAGES[code]
    assert isinstance(severity, Severity) and template.strip()
    assert step in STEPS, f"{code}: unknown step {step!r}"
    assert code in _string_constants(STEP_MODULES[step]), f"{code}: nothing in {step} produces it"


def test_no_module_produces_a_code_the_table_lacks():
    """Every `problem(label, "code", …)` call anywhere names a code of the table."""
    used = set()
    for path in [*ROOT.glob("ingest/*.py"), *ROOT.glob("dashboard/**/*.py")]:
        for node in ast.walk(ast.parse(path.read_text())):
            if (isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", None)) == "problem"
                    and len(node.args) > 1 and isinstance(node.args[1], ast.Constant)):  # fmt: skip
                used.add(node.args[1].value)
    assert used and used <= set(MESSAGES), used - set(MESSAGES)


def test_problem_renders_the_template():
    p = problem("a.xlsx", "duplicate_header", "Blad1", "C1", cells="C1 en D1", label="Tijdelijke huisverboden")
    assert (p.where, p.severity) == ("Blad1!C1", Severity.ERROR)
    assert p.message.startswith("De kolommen C1 en D1 betekenen allebei 'Tijdelijke huisverboden'")


def test_two_columns_meaning_the_same_element_are_one_error(tmp_path):
    path = write_workbook(tmp_path / "dubbel.xlsx", {"Blad1": [
        ["Gemeente", "Kwartaal", "Tijdelijke huisverboden (totaal)", "Aantal tijdelijke huisverboden"],
        ["Utrecht", "2024 K1", 10, 11],
    ]})  # fmt: skip
    result = read_file(path, today=dt.date(2025, 1, 1))
    duplicate = [p for p in result.problems if p.code == "duplicate_header"]
    assert [(p.where, p.is_error) for p in duplicate] == [("Blad1!C1", True)]
    assert "C1 en D1" in duplicate[0].message
    assert not result.ok
