"""Failed sign-ins throttled per client address (password spraying over many accounts), on one
process's memory here; tests/test_deployment.py tries the storage shared by gunicorn's workers (Redis)."""

from __future__ import annotations

import json

import pytest

from config.errors import ConfigurationError
from dashboard import throttle
from dashboard.security import Settings
from db.audit import Action, read_audit
from tests.gate import gate_site, sign_in

LIMIT = "3 per 15 minutes"


@pytest.fixture
def site(tmp_path):
    with gate_site(tmp_path, Settings(secure_cookie=True, login_limit=LIMIT)) as s:
        yield s


def test_spraying_many_accounts_from_one_address_is_stopped(site):
    app, engine = site
    client = app.server.test_client()
    for name in ("anna", "bert", "carla"):  # one password tried on many names: no account locks
        assert sign_in(client, name, "Welkom2025!", REMOTE_ADDR="192.0.2.10").status_code == 401
    refused = sign_in(client, "stuur", REMOTE_ADDR="192.0.2.10")  # even the right password, from there
    assert refused.status_code == 429
    page = refused.get_data(as_text=True)
    assert "te vaak verkeerd ingelogd" in page and "15 minuten" in page and 'lang="nl"' in page
    assert "Set-Cookie" not in refused.headers
    failed = read_audit(engine, action=Action.LOGIN_FAILED)
    details = json.loads(failed["details"].iloc[0])
    assert details == {"reden": "te veel mislukte aanmeldingen vanaf dit adres", "adres": "192.0.2.10"}


def test_another_address_and_successful_sign_ins_are_not_held_back(site):
    app, _ = site
    client = app.server.test_client()
    for _ in range(5):  # successes do not count
        assert sign_in(client, "stuur", REMOTE_ADDR="192.0.2.20").status_code == 303
    for name in ("anna", "bert", "carla"):
        assert sign_in(client, name, "Welkom2025!", REMOTE_ADDR="192.0.2.20").status_code == 401
    assert sign_in(client, "stuur", REMOTE_ADDR="192.0.2.20").status_code == 429
    assert sign_in(client, "stuur", REMOTE_ADDR="192.0.2.21").status_code == 303


def test_the_sign_in_page_itself_is_not_throttled(site):
    app, _ = site
    client = app.server.test_client()
    for name in ("anna", "bert", "carla"):
        sign_in(client, name, "Welkom2025!", REMOTE_ADDR="192.0.2.30")
    page = client.get("https://localhost/login", environ_base={"REMOTE_ADDR": "192.0.2.30"})
    assert page.status_code == 200


@pytest.mark.parametrize(("limit", "minutes"), [("20 per 15 minutes", 15), ("5 per hour", 60), ("10/minute", 1)])
def test_the_limit_setting_and_its_waiting_time(limit, minutes):
    assert throttle.check_limit(limit) == limit and throttle.window_minutes(limit) == minutes


def test_settings_refuse_a_limit_or_storage_they_cannot_use(monkeypatch, tmp_path):
    monkeypatch.setenv("MONITOR_LOGIN_LIMIT", "twintig")
    with pytest.raises(ConfigurationError, match="MONITOR_LOGIN_LIMIT is 'twintig'"):
        Settings.from_environment()
    with (
        pytest.raises(ConfigurationError, match="MONITOR_RATELIMIT_STORAGE is 'mongo-ish://x'"),
        gate_site(tmp_path, Settings(ratelimit_storage="mongo-ish://x")),
    ):
        pass
