"""Production is not the demo: the README's deployment steps followed literally on an empty database,
the server refusing a database with active demo accounts, and the sign-in throttle shared by
gunicorn's workers through Redis (127.0.0.1:6379; skipped without it, failed under CI=true)."""

from __future__ import annotations

import os
import secrets
import shlex
import socket
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bench.server import PROJECT_ROOT, ServerError, gunicorn

README = PROJECT_ROOT / "README.md"
REDIS_URL = os.environ.get("MONITOR_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
PASSWORD = "een lang genoeg wachtwoord"


def deployment_steps() -> list[list[str]]:
    """The commands of the README's deployment block, as words (comments left out)."""
    text = README.read_text(encoding="utf-8")
    block = text.split("\n## Deployment\n\n", 1)[1].split("\n\n", 1)[0]
    return [shlex.split(line, comments=True) for line in block.splitlines() if line.startswith("    ")]


@pytest.fixture(scope="module")
def redis_url() -> str:
    """The Redis server the throttle is tested against."""
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3).ping()
    except redis.RedisError as exc:
        message = f"Redis at {REDIS_URL} is not reachable: {exc}"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return REDIS_URL


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def post(url: str, form: dict, headers: dict | None = None) -> tuple[int, dict, str]:
    """(status, headers, body) of a form POST, redirects not followed."""
    request = urllib.request.Request(url, data=urllib.parse.urlencode(form).encode(), headers=headers or {})
    try:
        with urllib.request.build_opener(NoRedirect).open(request, timeout=60) as response:
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read().decode()


def get(url: str, cookie: str = "") -> tuple[int, str]:
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    try:
        with urllib.request.build_opener(NoRedirect).open(request, timeout=60) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def test_make_serve_never_seeds():
    planned = subprocess.run(["make", "-n", "serve"], cwd=PROJECT_ROOT, capture_output=True, text=True, check=True)
    assert "gunicorn" in planned.stdout and "dashboard.wsgi:server" in planned.stdout
    assert "sample_data" not in planned.stdout and "seed" not in planned.stdout


def test_the_readme_deployment_steps_on_an_empty_database(tmp_path, redis_url):
    from accounts.users import list_users
    from db.engine import connect
    from db.tables import indicator_values, observations, uploads

    url = f"sqlite:///{tmp_path / 'productie.sqlite'}"
    env = {**os.environ, "MONITOR_COOKIE_SECURE": "0"}  # a test server on plain http, as the README allows
    env.pop("MONITOR_DEMO", None)
    served = None
    for words in deployment_steps():
        if words[0] == "export":
            name, value = words[1].split("=", 1)
            env[name] = {"MONITOR_DB_URL": url, "MONITOR_RATELIMIT_STORAGE": redis_url}.get(name, value)
        elif words[:3] == ["python", "-m", "accounts"]:
            done = subprocess.run([sys.executable, *words[1:]], cwd=PROJECT_ROOT, env=env, input=PASSWORD + "\n",
                                  capture_output=True, text=True, timeout=120)  # fmt: skip
            assert done.returncode == 0, done.stderr
            admin = words[4]
        elif words[:2] == ["make", "serve"]:
            served = words
        else:
            pytest.fail(f"the test does not know the README's deployment step {words}")
    assert served is not None and env["MONITOR_DB_URL"] == url
    with gunicorn("dashboard.wsgi:server", env=env, workers=2, log=tmp_path / "gunicorn.log") as base:
        assert get(f"{base}/healthz") == (200, "ok\n")
        status, headers, _ = post(f"{base}/login", {"naam": admin, "wachtwoord": PASSWORD, "volgende": "/"})
        assert status == 303, headers
        cookie = headers["Set-Cookie"].split(";", 1)[0]
        status, layout = get(f"{base}/_dash-layout", cookie)
        assert status == 200 and f"Ingelogd als {admin}" in layout and "Demomodus" not in layout
    engine = connect(url)
    try:
        assert [a.name for a in list_users(engine)] == [admin]  # no demo account
        with engine.connect() as conn:
            for table in (uploads, observations, indicator_values):  # no sample data
                assert conn.execute(select(func.count()).select_from(table)).scalar_one() == 0, table.name
    finally:
        engine.dispose()


def test_the_server_refuses_to_start_while_demo_accounts_are_active(tmp_path):
    from argon2 import PasswordHasher

    from accounts.demo import demo_accounts
    from db.engine import connect
    from reference.areas import load_reference

    url = f"sqlite:///{tmp_path / 'was-demo.sqlite'}"
    engine = connect(url)
    demo_accounts(engine, load_reference(), hasher=PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
    engine.dispose()
    env = {"MONITOR_DB_URL": url, "MONITOR_COOKIE_SECURE": "0", "MONITOR_RATELIMIT_STORAGE": "memory://"}
    log = tmp_path / "gunicorn.log"
    with pytest.raises(ServerError, match="exited"), gunicorn("dashboard.wsgi:server", env=env, log=log):
        pass
    text = log.read_text(encoding="utf-8")
    assert "Deze database heeft actieve demo-accounts (demo-beheerder, demo-gemeente" in text
    assert "python -m accounts disable-demo" in text
    refusals = [line for line in text.splitlines() if "refused start" in line]
    assert refusals and all("disable-demo" in line for line in refusals)
    done = subprocess.run([sys.executable, "-m", "accounts", "disable-demo", "--db", url], cwd=PROJECT_ROOT,
                          capture_output=True, text=True, timeout=120)  # fmt: skip
    assert done.returncode == 0 and "Uitgeschakeld: demo-beheerder" in done.stdout
    with gunicorn("dashboard.wsgi:server", env=env, log=log, ready_path="/healthz") as base:
        assert get(f"{base}/healthz") == (200, "ok\n")


def test_the_server_refuses_to_start_without_a_throttle_storage(tmp_path):
    env = {**os.environ, "MONITOR_DB_URL": f"sqlite:///{tmp_path / 'm.sqlite'}", "MONITOR_COOKIE_SECURE": "0"}
    env.pop("MONITOR_RATELIMIT_STORAGE", None)
    log = tmp_path / "gunicorn.log"
    with pytest.raises(ServerError, match="exited"), gunicorn("dashboard.wsgi:server", env=env, log=log):
        pass
    assert "MONITOR_RATELIMIT_STORAGE is niet gezet" in log.read_text(encoding="utf-8")


def _fresh_address() -> str:
    """An address of the documentation range, new for every run."""
    return f"2001:db8:{secrets.token_hex(2)}:{secrets.token_hex(2)}::{secrets.token_hex(2)}"


def _half_sent(port: int, address: str, name: str) -> tuple[socket.socket, bytes]:
    """A failed sign-in whose headers are not yet complete: it holds one sync worker while it waits."""
    body = urllib.parse.urlencode({"naam": name, "wachtwoord": "Welkom2025!", "volgende": "/"}).encode()
    head = (
        f"POST /login HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nX-Forwarded-For: {address}\r\n"
        f"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {len(body)}\r\nConnection: close\r\n"
    ).encode()
    connection = socket.create_connection(("127.0.0.1", port), timeout=60)
    connection.sendall(head)
    return connection, b"\r\n" + body


def _answer(connection: socket.socket, rest: bytes) -> int:
    connection.sendall(rest)
    reply = b""
    while chunk := connection.recv(65536):
        reply += chunk
    connection.close()
    return int(reply.split(b" ", 2)[1])


def test_failed_sign_ins_per_address_are_counted_across_the_workers(tmp_path, redis_url):
    """Two sync workers: one is held by a half-sent request while the other answers two failures,
    then the held one answers the third. Counted per worker (memory://) neither would have seen
    three; counted in Redis the fourth attempt, on either worker, is refused."""
    address, elsewhere = _fresh_address(), _fresh_address()  # Redis keeps its counts for 15 minutes
    env = {"MONITOR_DB_URL": f"sqlite:///{tmp_path / 'm.sqlite'}", "MONITOR_COOKIE_SECURE": "0",
           "MONITOR_RATELIMIT_STORAGE": redis_url, "MONITOR_TRUSTED_PROXIES": "127.0.0.1",
           "MONITOR_LOGIN_LIMIT": "3 per 15 minutes"}  # fmt: skip
    forwarded = {"X-Forwarded-For": address}
    with gunicorn("dashboard.wsgi:server", env=env, workers=2, log=tmp_path / "log", ready_path="/healthz") as base:
        port = int(base.rsplit(":", 1)[1])
        held, rest = _half_sent(port, address, "anna")
        for name in ("bert", "carla"):  # the other worker answers these
            assert post(f"{base}/login", {"naam": name, "wachtwoord": "Welkom2025!"}, forwarded)[0] == 401
        assert _answer(held, rest) == 401  # the held worker's first failure, the third in all
        status, _, page = post(f"{base}/login", {"naam": "dirk", "wachtwoord": "Welkom2025!"}, forwarded)
        assert status == 429 and "te vaak verkeerd ingelogd" in page
        other = post(f"{base}/login", {"naam": "dirk", "wachtwoord": "Welkom2025!"}, {"X-Forwarded-For": elsewhere})
        assert other[0] == 401  # another address is not held back
    log = (tmp_path / "log").read_text(encoding="utf-8")
    assert any("refused status=429" in line and address in line for line in log.splitlines())


def test_readme_steps_are_found():
    steps = deployment_steps()
    assert [words[0] for words in steps] == ["export", "export", "export", "python", "make"]
    assert Path(README).is_file()
