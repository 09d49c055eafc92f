"""Every setting of the monitor in one table (the Datasette `SETTINGS` pattern), read here only.

A deployment sets them as environment variables; blank counts as unset. The README's *Deployment*
section lists them, and a test fails when one is missing there.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from config.errors import ConfigurationError


@dataclass(frozen=True)
class Setting:
    name: str
    default: str  # as text, as it would be written in the environment; "" = none
    meaning: str


SETTINGS = (
    Setting("MONITOR_DB_URL", "", "SQLAlchemy URL of the database; unset: the SQLite file data/monitor.sqlite"),
    Setting("MONITOR_REGIO_INDELING", "", "CSV file of the region division; unset: the 26 Veilig Thuis regions"),
    Setting("MONITOR_STARTFOTO_JAAR", "2018", "the baseline (startfoto) year of the region page"),
    Setting("MONITOR_DEMO", "0", "demo mode (`make run` only): banner, demo accounts; refused by dashboard.wsgi"),
    Setting("MONITOR_COOKIE_SECURE", "", "1/0: the session cookie's Secure flag; unset: on outside demo mode"),
    Setting("MONITOR_MAX_REQUEST_MB", "64", "the largest request the server accepts, in MB"),
    Setting("MONITOR_ALLOWED_ORIGINS", "", "extra origins for the Origin check, comma-separated"),
    Setting("MONITOR_TRUSTED_PROXIES", "", "addresses or networks of the reverse proxies trusted for X-Forwarded-For"),
    Setting(
        "MONITOR_RATELIMIT_STORAGE", "", "where failed sign-ins are counted (redis://...); needed by dashboard.wsgi"
    ),
    Setting("MONITOR_LOGIN_LIMIT", "20 per 15 minutes", "failed sign-ins allowed per client address"),
)
DEFAULTS = {s.name: s.default for s in SETTINGS}
_TRUE = frozenset({"1", "true", "ja", "yes", "on"})


def get(name: str, environ: Mapping[str, str] | None = None) -> str:
    """The setting's text, stripped; its default when unset or blank."""
    if name not in DEFAULTS:
        raise KeyError(f"{name} is not a setting of the monitor (config.settings.SETTINGS)")
    text = (os.environ if environ is None else environ).get(name, "").strip()
    return text or DEFAULTS[name]


def flag(name: str, default: bool = False, environ: Mapping[str, str] | None = None) -> bool:
    """A yes/no setting: `1`, `true`, `ja`, `yes`, `on` are yes; unset is `default`."""
    text = get(name, environ).lower()
    return default if not text else text in _TRUE


def number(name: str, environ: Mapping[str, str] | None = None) -> float:
    """A numeric setting, refused with a Dutch message when it is not a number."""
    text = get(name, environ)
    try:
        return float(text.replace(",", "."))
    except ValueError:
        raise ConfigurationError(f"{name} moet een getal zijn, niet {text!r}.") from None
