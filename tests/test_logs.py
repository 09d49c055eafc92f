"""Refusals and crashes on standard error, one line each: who, what, why; never a figure or a password."""

from __future__ import annotations

import json
import logging

import flask
import pytest

from dashboard import logs
from dashboard.security import Settings
from tests.gate import BASE, PASSWORD, gate_site, sign_in

SMALL_LIMIT = 64 * 1024


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    with gate_site(tmp_path_factory.mktemp("logs"), Settings(secure_cookie=True, max_request_bytes=SMALL_LIMIT)) as s:
        yield s


def _lines(capsys) -> list[str]:
    return [line for line in capsys.readouterr().err.splitlines() if " dashboard" in line]


def _signed_in(site, name: str):
    client = site[0].server.test_client()
    assert sign_in(client, name).status_code == 303
    return client


def test_a_request_without_a_session_is_one_line(site, capsys):
    capsys.readouterr()
    assert site[0].server.test_client().get(f"{BASE}/_dash-layout").status_code == 401
    [line] = _lines(capsys)
    assert 'refused status=401 who="anoniem" address=127.0.0.1 what="GET /_dash-layout"' in line
    assert 'why="geen geldige sessie"' in line


def test_a_failed_sign_in_is_one_line_without_name_or_password(site, capsys):
    capsys.readouterr()
    assert sign_in(site[0].server.test_client(), "stuur", "mijn geheime poging 1234").status_code == 401
    [line] = _lines(capsys)
    assert 'refused status=401 who="anoniem"' in line and 'what="POST /login"' in line
    assert "geheime" not in line and "1234" not in line and PASSWORD not in line


def test_a_foreign_post_is_one_line_naming_the_signed_in_user(site, capsys):
    client = _signed_in(site, "beheer")
    capsys.readouterr()
    response = client.post(f"{BASE}/_dash-update-component", json={}, headers={"Origin": "https://evil.example"})
    assert response.status_code == 403
    [line] = _lines(capsys)
    assert 'refused status=403 who="beheer"' in line and 'why="verzoek van een andere website"' in line


def test_a_request_over_the_limit_is_one_line_without_its_contents(site, capsys):
    client = _signed_in(site, "beheer")
    capsys.readouterr()
    body = json.dumps({"inputs": [{"id": "x", "property": "contents", "value": "12345" * SMALL_LIMIT}]})
    response = client.post(
        f"{BASE}/_dash-update-component", data=body, content_type="application/json", headers={"Origin": BASE}
    )
    assert response.status_code == 413
    [line] = _lines(capsys)
    assert 'refused status=413 who="beheer"' in line and "12345" not in line


def test_a_refused_look_at_the_audit_log_is_one_line_and_audited_with_the_address(site, capsys):
    from accounts.users import get_user, scope_of
    from dashboard.pages import audit
    from db.audit import Action, read_audit

    app, engine = site
    capsys.readouterr()
    request = app.server.test_request_context("/_dash-update-component", environ_base={"REMOTE_ADDR": "198.51.100.4"})
    with request:
        flask.g.scope = scope_of(get_user(engine, "stuur"))  # as the gate puts it there
        assert audit.REFUSED in json.dumps(audit.layout().to_plotly_json(), default=str)
    [line] = _lines(capsys)
    assert 'refused status=toegang who="stuur" address=198.51.100.4 what="/auditlog"' in line
    denied = read_audit(engine, actor="stuur", action=Action.ACCESS_DENIED)
    assert "198.51.100.4" in denied["details"].iloc[0]


def test_a_crash_is_one_line_with_its_type_and_place_and_a_dutch_answer(site, capsys):
    client = _signed_in(site, "beheer")
    capsys.readouterr()
    secret = "geheim-4321"
    response = client.post(f"{BASE}/_dash-update-component", json={"output": secret}, headers={"Origin": BASE})
    assert response.status_code == 500
    assert "Er ging iets mis op de server" in response.get_json()["melding"]
    [line] = _lines(capsys)
    assert 'crash who="beheer"' in line and 'what="POST /_dash-update-component"' in line
    assert "Error at " in line and secret not in line and "Traceback" not in capsys.readouterr().err


def test_the_formatter_keeps_a_record_on_one_line():
    record = logging.LogRecord("dashboard", logging.ERROR, __file__, 1, "eerste\nTraceback\r\nderde", None, None)
    try:
        raise ValueError("12 cases")
    except ValueError:
        import sys

        record.exc_info = sys.exc_info()
    text = logs.OneLineFormatter(logs.FORMAT).format(record)
    assert "\n" not in text and "\r" not in text and "12 cases" not in text
    assert text.endswith("eerste\\nTraceback\\r\\nderde")


def test_a_rejected_upload_is_one_line_with_its_problem_codes_not_its_values(site, capsys, tmp_path):
    import base64

    from accounts.users import get_user, scope_of
    from dashboard import intake
    from tests.workbooks import write_workbook

    _, engine = site
    path = write_workbook(tmp_path / "fout.xlsx", {"Blad1": [["Gemeente", "Kwartaal", "Plegers in beeld"],
                                                               ["Diemen", "2025 K1", -7777]]})  # fmt: skip
    contents = "data:application/octet-stream;base64," + base64.b64encode(path.read_bytes()).decode()
    capsys.readouterr()
    [done] = intake.store_files(engine, [(contents, "fout.xlsx")], scope=scope_of(get_user(engine, "beheer")))
    assert done.stored.status == "rejected"
    [line] = _lines(capsys)
    assert f'refused status=upload who="beheer" address=- what="upload {done.stored.upload_id}"' in line
    assert "bestand geweigerd: " in line and "7777" not in line
