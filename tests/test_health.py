"""/healthz: 200 while the database answers, 503 when it does not; no session, no data, no audit entry."""

from __future__ import annotations

from sqlalchemy import func, select

from db.tables import audit_log
from tests.gate import BASE, gate_site, sign_in


def _audit_rows(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(audit_log)).scalar_one()


def test_healthz_answers_without_a_session_and_records_nothing(tmp_path):
    with gate_site(tmp_path) as (app, engine):
        client = app.server.test_client()
        before = _audit_rows(engine)
        for _ in range(3):
            response = client.get(f"{BASE}/healthz")
            assert response.status_code == 200 and response.get_data(as_text=True) == "ok\n"
            assert "Set-Cookie" not in response.headers
        client.set_cookie("monitor_sessie", "vervalst", domain="localhost")  # a forged cookie changes nothing
        assert client.get(f"{BASE}/healthz").status_code == 200
        assert client.head(f"{BASE}/healthz").status_code == 200
        assert _audit_rows(engine) == before


def test_healthz_shows_no_data_to_a_signed_in_user_either(tmp_path):
    with gate_site(tmp_path) as (app, _):
        client = app.server.test_client()
        assert sign_in(client, "beheer").status_code == 303
        response = client.get(f"{BASE}/healthz")
        assert response.status_code == 200 and response.get_data(as_text=True) == "ok\n"


def test_healthz_answers_503_when_the_database_does_not(tmp_path):
    with gate_site(tmp_path) as (app, engine):
        client = app.server.test_client()
        assert client.get(f"{BASE}/healthz").status_code == 200
        engine.dispose()  # close the pooled connections: the next one opens the file anew
        for path in tmp_path.glob("monitor.sqlite*"):
            path.write_bytes(b"dit is geen database" * 100)  # a broken disk, as far as SQLite can tell
        response = client.get(f"{BASE}/healthz")
        assert response.status_code == 503
        assert response.get_data(as_text=True) == "database onbereikbaar\n"
