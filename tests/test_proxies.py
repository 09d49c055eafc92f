"""Behind the reverse proxy: X-Forwarded-For counts only from the proxies of MONITOR_TRUSTED_PROXIES,
and the audit log records the client's real address (sign-ins, failures, refusals)."""

from __future__ import annotations

import json

import pytest

from config.errors import ConfigurationError
from dashboard.proxies import is_trusted, trusted_networks
from dashboard.security import Settings
from db.audit import Action, read_audit
from tests.gate import BASE, gate_site, sign_in

PROXY = "10.0.0.5"
CLIENT = "203.0.113.7"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    settings = Settings(secure_cookie=True, trusted_proxies=trusted_networks("10.0.0.0/24, ::1"))
    with gate_site(tmp_path_factory.mktemp("proxies"), settings) as s:
        yield s


def _address(engine, action: Action, subject: str) -> str:
    rows = read_audit(engine, action=action)
    return json.loads(rows[rows["subject"] == subject]["details"].iloc[0])["adres"]


def test_a_trusted_proxy_gives_the_clients_address_to_the_audit_log(site):
    app, engine = site
    client = app.server.test_client()
    forwarded = {"headers": {"X-Forwarded-For": CLIENT}, "REMOTE_ADDR": PROXY}
    assert sign_in(client, "stuur", **forwarded).status_code == 303
    assert _address(engine, Action.LOGIN, "stuur") == CLIENT
    assert sign_in(client, "beheer", "fout fout fout fout", **forwarded).status_code == 401
    assert _address(engine, Action.LOGIN_FAILED, "beheer") == CLIENT


def test_any_other_address_cannot_make_up_its_own(site):
    app, engine = site
    spoofed = {"headers": {"X-Forwarded-For": "198.51.100.99"}, "REMOTE_ADDR": "192.0.2.44"}
    assert sign_in(app.server.test_client(), "stuur", **spoofed).status_code == 303
    assert _address(engine, Action.LOGIN, "stuur") == "192.0.2.44"


def test_a_refusal_records_the_clients_address(site):
    app, engine = site
    client = app.server.test_client()
    forwarded = {"X-Forwarded-For": CLIENT}
    assert sign_in(client, "beheer", headers=forwarded, REMOTE_ADDR=PROXY).status_code == 303
    response = client.post(
        f"{BASE}/_dash-update-component", json={}, headers={"Origin": "https://evil.example", **forwarded},
        environ_base={"REMOTE_ADDR": PROXY},
    )  # fmt: skip
    assert response.status_code == 403
    denied = read_audit(engine, actor="beheer", action=Action.ACCESS_DENIED)
    assert json.loads(denied["details"].iloc[0])["adres"] == CLIENT


def test_the_scheme_a_trusted_proxy_reports_counts_for_the_origin_check(site):
    """TLS ends at the proxy: the request reaches gunicorn over http, the browser's Origin is https."""
    app, _ = site
    client = app.server.test_client()
    form = {"naam": "stuur", "wachtwoord": "een lang genoeg wachtwoord"}
    proxied = {"X-Forwarded-For": CLIENT, "X-Forwarded-Proto": "https", "Origin": "https://localhost"}
    answer = client.post("http://localhost/login", data=form, headers=proxied, environ_base={"REMOTE_ADDR": PROXY})
    assert answer.status_code == 303
    unproxied = {"X-Forwarded-Proto": "https", "Origin": "https://localhost"}
    refused = client.post("http://localhost/login", data=form, headers=unproxied, environ_base={"REMOTE_ADDR": CLIENT})
    assert refused.status_code == 403


@pytest.mark.parametrize(
    ("address", "trusted"),
    [("10.0.0.5", True), ("10.0.1.5", False), ("::1", True), ("127.0.0.1", False), ("", False), ("onzin", False)],
)
def test_trusted_addresses(address, trusted):
    assert is_trusted(address, trusted_networks("10.0.0.0/24,::1")) is trusted


def test_a_setting_that_is_not_an_address_is_refused_in_dutch():
    assert trusted_networks("") == ()
    with pytest.raises(ConfigurationError, match="MONITOR_TRUSTED_PROXIES bevat 'proxy.intern'"):
        trusted_networks("127.0.0.1, proxy.intern")
