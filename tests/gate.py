"""A dashboard behind its gate on a database of its own, for tests that speak HTTP to it through
Flask's test client (https://localhost, so Secure cookies travel), as tests/test_security.py does."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from argon2 import PasswordHasher

from accounts.scope import Role
from accounts.users import add_user
from reference.areas import load_reference

PASSWORD = "een lang genoeg wachtwoord"
CHEAP = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)  # fast to create; login rehashes
BASE = "https://localhost"
ACCOUNTS = {"beheer": (Role.BEHEERDER, None, ()), "stuur": (Role.STUURGROEP, None, ())}


@contextmanager
def gate_site(folder: Path, settings=None, accounts=ACCOUNTS) -> Iterator[tuple]:
    """(app, engine) on a fresh SQLite database in `folder` with `accounts` (all with PASSWORD)."""

    import dashboard.data
    from dashboard.app import create_app
    from dashboard.security import Settings

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MONITOR_DB_URL", f"sqlite:///{folder / 'monitor.sqlite'}")
        dashboard.data.engine.cache_clear()
        engine = dashboard.data.engine()
        reference = load_reference()
        for name, (role, region, municipalities) in accounts.items():
            add_user(engine, name, role, region=region, municipalities=municipalities, password=PASSWORD,
                     actor="test", reference=reference, hasher=CHEAP)  # fmt: skip
        app = create_app(settings or Settings(secure_cookie=True))
        try:
            yield app, engine
        finally:
            engine.dispose()
            dashboard.data.engine.cache_clear()


def sign_in(client, name: str, password: str = PASSWORD, **environ):
    """POST the sign-in form as a browser on this site would; `environ` e.g. REMOTE_ADDR."""
    return client.post(
        f"{BASE}/login",
        data={"naam": name, "wachtwoord": password, "volgende": "/"},
        headers={"Origin": BASE, **environ.pop("headers", {})},
        environ_base=environ,
    )
