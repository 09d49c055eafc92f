"""config.settings: one table of every MONITOR_* setting, read in one module, each documented."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from config import settings
from config.errors import ConfigurationError

ROOT = Path(__file__).resolve().parent.parent
PRODUCT = ["config", "db", "reference", "ingest", "indicators", "accounts", "dashboard", "sample_data"]
_NAME = re.compile(r"\bMONITOR_[A-Z][A-Z_]*[A-Z]\b")


def _product_files() -> list[Path]:
    return [path for package in PRODUCT for path in (ROOT / package).rglob("*.py")]


def test_every_setting_is_in_the_readme():
    readme = (ROOT / "README.md").read_text()
    missing = [s.name for s in settings.SETTINGS if f"`{s.name}`" not in readme]
    assert not missing, f"document these settings in the README: {missing}"


def test_every_setting_has_a_meaning_and_a_unique_name():
    names = [s.name for s in settings.SETTINGS]
    assert len(names) == len(set(names))
    assert all(s.meaning.strip() and s.name.startswith("MONITOR_") for s in settings.SETTINGS)


def test_every_monitor_variable_named_in_the_code_is_a_setting():
    named = {m for path in [*_product_files(), ROOT / "Makefile"] for m in _NAME.findall(path.read_text())}
    assert named, "no MONITOR_ names found: the scan is broken"
    assert named <= set(settings.DEFAULTS), named - set(settings.DEFAULTS)


def test_the_environment_is_read_only_in_config_settings():
    readers = []
    for path in _product_files():
        if path == ROOT / "config" / "settings.py":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Attribute)
                and node.attr in ("environ", "getenv")
                and getattr(node.value, "id", "") == "os"
            ):
                readers.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not readers, f"read settings through config.settings: {readers}"


@pytest.mark.parametrize(
    "environ, expected",
    [({}, "2018"), ({"MONITOR_STARTFOTO_JAAR": "  "}, "2018"), ({"MONITOR_STARTFOTO_JAAR": " 2020 "}, "2020")],
)
def test_get_strips_and_falls_back_to_the_default(environ, expected):
    assert settings.get("MONITOR_STARTFOTO_JAAR", environ) == expected


def test_an_unknown_setting_is_a_programming_error():
    with pytest.raises(KeyError, match="MONITOR_ONBEKEND"):
        settings.get("MONITOR_ONBEKEND", {})


@pytest.mark.parametrize(
    "text, default, expected",
    [
        ("", True, True),
        ("", False, False),
        ("ja", False, True),
        ("1", False, True),
        ("0", True, False),
        ("nee", True, False),
    ],
)
def test_flag(text, default, expected):
    assert settings.flag("MONITOR_COOKIE_SECURE", default, {"MONITOR_COOKIE_SECURE": text}) is expected


def test_number_reads_a_dutch_decimal_and_refuses_text():
    assert settings.number("MONITOR_MAX_REQUEST_MB", {"MONITOR_MAX_REQUEST_MB": "0,5"}) == 0.5
    assert settings.number("MONITOR_MAX_REQUEST_MB", {}) == 64
    with pytest.raises(ConfigurationError, match="MONITOR_MAX_REQUEST_MB moet een getal zijn"):
        settings.number("MONITOR_MAX_REQUEST_MB", {"MONITOR_MAX_REQUEST_MB": "veel"})
