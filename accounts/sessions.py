"""Signing in and out, and server-side sessions.

`authenticate` checks a name and password with a lock-out after repeated failures; `start_session`
hands out a random token for the cookie and stores only its SHA-256; `resolve` turns a cookie's
token back into the account and its scope, or None when the session ended, idled too long, grew
too old, or its user was disabled or got a new password since. Time is passed in (`now`), so tests
do not sleep.

Session writes use a short transaction of their own (SQLite: BEGIN IMMEDIATE) rather than
`ingest.store.write_transaction`, whose PostgreSQL advisory lock would make every sign-in and
every page view wait for a running upload; row locks are enough here.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from argon2 import PasswordHasher
from sqlalchemy import Connection, Engine, delete, select, update

from accounts.passwords import MAX_LENGTH, dummy_hash, hash_password, needs_rehash, verify
from accounts.scope import Scope
from accounts.users import Account, account_from_row, end_sessions_in, normalise_name, scope_of
from db.audit import Action, record
from db.engine import WRITE_OPTION
from db.tables import UTC, sessions, users

MAX_FAILED_ATTEMPTS = 5
LOCKOUT = dt.timedelta(minutes=15)
IDLE_TIMEOUT = dt.timedelta(minutes=30)
ABSOLUTE_TIMEOUT = dt.timedelta(hours=12)
TOUCH_INTERVAL = dt.timedelta(minutes=1)  # last_seen_at is written at most this often
MAX_TOKEN_LENGTH = 100
ANONYMOUS = "anoniem"  # the actor of a failed sign-in: nobody has proven who they are

WRONG_CREDENTIALS = "Onbekende naam of onjuist wachtwoord."
LOCKED_MESSAGE = (
    f"Te veel mislukte pogingen. Probeer het over {LOCKOUT.seconds // 60} minuten opnieuw "
    "of vraag de beheerder het account te ontgrendelen."
)
DISABLED_MESSAGE = "Dit account is uitgeschakeld. Vraag de beheerder het weer in te schakelen."


@dataclass(frozen=True)
class LoginResult:
    ok: bool
    account: Account | None
    message: str  # Dutch, for the sign-in page; empty when ok


@contextmanager
def _transaction(engine: Engine) -> Iterator[Connection]:
    with engine.connect().execution_options(**{WRITE_OPTION: True}) as conn, conn.begin():
        yield conn


def _now(now: dt.datetime | None) -> dt.datetime:
    return now or dt.datetime.now(UTC)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _details(client: str) -> dict:
    return {"adres": client[:100]} if client else {}


def _refuse(engine: Engine, name: str, reason: str, client: str, now: dt.datetime, user_id: int | None = None) -> bool:
    """Record a failed sign-in; count it against a known, unlocked user. Returns whether it locked."""
    locked = False
    with _transaction(engine) as conn:
        if user_id is not None and reason == "wachtwoord":
            conn.execute(update(users).where(users.c.id == user_id).values(failed_attempts=users.c.failed_attempts + 1))
            attempts = conn.execute(select(users.c.failed_attempts).where(users.c.id == user_id)).scalar_one()
            if attempts >= MAX_FAILED_ATTEMPTS:
                until = now + LOCKOUT
                conn.execute(update(users).where(users.c.id == user_id).values(failed_attempts=0, locked_until=until))
                details = {"pogingen": attempts, "tot": until.isoformat(), **_details(client)}
                record(conn, actor="systeem", action=Action.LOCKED, subject=name, details=details, at=now)
                locked = True
        details = {"reden": reason, **_details(client)}
        record(conn, actor=ANONYMOUS, action=Action.LOGIN_FAILED, subject=name[:500], details=details, at=now)
    return locked


def authenticate(
    engine: Engine,
    name: str,
    password: str,
    *,
    now: dt.datetime | None = None,
    hasher: PasswordHasher | None = None,
    client: str = "",
) -> LoginResult:
    """Check a sign-in. Every refusal costs the same hashing work; `client` (an address) is audited."""
    now = _now(now)
    name = normalise_name(name)
    with engine.connect() as conn:
        row = conn.execute(select(users).where(users.c.name == name)).first() if name else None
    password = password if len(password) <= MAX_LENGTH else ""  # bounded work; "" never matches
    stored_hash = row._mapping["password_hash"] if row else dummy_hash(hasher)
    matches = verify(stored_hash, password, hasher=hasher) and row is not None and bool(password)
    if row is None:
        _refuse(engine, name, "onbekende naam", client, now)
        return LoginResult(False, None, WRONG_CREDENTIALS)
    account = account_from_row(row)
    if account.locked(now):
        _refuse(engine, name, "geblokkeerd", client, now)
        return LoginResult(False, None, LOCKED_MESSAGE)
    if not matches:
        locked = _refuse(engine, name, "wachtwoord", client, now, user_id=account.id)
        return LoginResult(False, None, LOCKED_MESSAGE if locked else WRONG_CREDENTIALS)
    if not account.active:
        _refuse(engine, name, "uitgeschakeld", client, now)
        return LoginResult(False, None, DISABLED_MESSAGE)
    new_hash = hash_password(password, hasher=hasher) if needs_rehash(stored_hash, hasher=hasher) else None
    with _transaction(engine) as conn:
        # Checked again under the write: a lock or a new password may have come in meanwhile.
        current = conn.execute(select(users).where(users.c.id == account.id)).first()
        fresh = account_from_row(current)
        if fresh.locked(now) or not fresh.active or current._mapping["password_hash"] != stored_hash:
            return LoginResult(False, None, LOCKED_MESSAGE if fresh.locked(now) else WRONG_CREDENTIALS)
        values = {"failed_attempts": 0, "locked_until": None}
        if new_hash:
            values["password_hash"] = new_hash
        conn.execute(update(users).where(users.c.id == account.id).values(**values))
        details = {**_details(client), **({"opnieuw_gehasht": True} if new_hash else {})}
        record(conn, actor=name, action=Action.LOGIN, subject=name, details=details, at=now)
        row = conn.execute(select(users).where(users.c.id == account.id)).first()
    return LoginResult(True, account_from_row(row), "")


def start_session(engine: Engine, account: Account, now: dt.datetime | None = None) -> str:
    """A new session for a signed-in account; returns the raw token (for the cookie only)."""
    now = _now(now)
    token = secrets.token_urlsafe(32)
    with _transaction(engine) as conn:
        conn.execute(
            sessions.insert().values(
                token_hash=token_hash(token), user_id=account.id, created_at=now, last_seen_at=now, ended_at=None
            )
        )
    return token


def _expiry(session, now: dt.datetime) -> str | None:
    if now - session.last_seen_at > IDLE_TIMEOUT:
        return "inactief"
    if now - session.session_created_at > ABSOLUTE_TIMEOUT:
        return "maximale duur"
    return None


def resolve(engine: Engine, token: str | None, now: dt.datetime | None = None) -> tuple[Account, Scope] | None:
    """The account and scope of a session token, or None when there is no valid session."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    now = _now(now)
    key = token_hash(token)
    query = (
        select(
            sessions.c.created_at.label("session_created_at"),
            sessions.c.last_seen_at,
            sessions.c.ended_at,
            users,
        )
        .join(users, users.c.id == sessions.c.user_id)
        .where(sessions.c.token_hash == key)
    )
    with engine.connect() as conn:
        row = conn.execute(query).first()
    if row is None or row.ended_at is not None:
        return None
    account = account_from_row(row)
    if not account.active or account.password_changed_at > row.session_created_at:
        return None
    if reason := _expiry(row, now):
        with _transaction(engine) as conn:
            ended = conn.execute(
                update(sessions).where(sessions.c.token_hash == key, sessions.c.ended_at.is_(None)).values(ended_at=now)
            ).rowcount
            if ended:
                record(
                    conn, actor="systeem", action=Action.SESSION_EXPIRED, subject=account.name,
                    details={"reden": reason}, at=now,
                )  # fmt: skip
        return None
    if now - row.last_seen_at >= TOUCH_INTERVAL:
        with _transaction(engine) as conn:
            conn.execute(
                update(sessions)
                .where(sessions.c.token_hash == key, sessions.c.ended_at.is_(None), sessions.c.last_seen_at < now)
                .values(last_seen_at=now)
            )
    return account, scope_of(account)


def end_session(engine: Engine, token: str | None, actor: str, now: dt.datetime | None = None) -> bool:
    """Sign out: end the session of `token`; returns whether there was an open one."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return False
    now = _now(now)
    with _transaction(engine) as conn:
        user = conn.execute(
            select(users.c.name)
            .join(sessions, sessions.c.user_id == users.c.id)
            .where(sessions.c.token_hash == token_hash(token), sessions.c.ended_at.is_(None))
        ).scalar_one_or_none()
        if user is None:
            return False
        conn.execute(update(sessions).where(sessions.c.token_hash == token_hash(token)).values(ended_at=now))
        record(conn, actor=actor, action=Action.LOGOUT, subject=user, at=now)
    return True


def end_sessions_of(engine: Engine, name: str, *, actor: str, now: dt.datetime | None = None) -> int:
    """End every open session of a user (sign out everywhere); returns how many ended.

    Resetting a password, changing a role or scope and disabling an account do this themselves,
    in their own transaction (`accounts.users`).
    """
    now = _now(now)
    with _transaction(engine) as conn:
        user = conn.execute(select(users.c.id, users.c.name).where(users.c.name == normalise_name(name))).first()
        if user is None:
            return 0
        ended = end_sessions_in(conn, user.id, now)
        if ended:
            details = {"sessies_beeindigd": ended}
            record(conn, actor=actor, action=Action.LOGOUT, subject=user.name, details=details, at=now)
    return ended


def purge_sessions(engine: Engine, now: dt.datetime | None = None) -> int:
    """Delete the rows of sessions that can never be used again: ended, idle past IDLE_TIMEOUT or
    older than ABSOLUTE_TIMEOUT. Returns how many. (Their sign-ins and logouts stay in the audit log.)"""
    now = _now(now)
    dead = (
        sessions.c.ended_at.is_not(None)
        | (sessions.c.last_seen_at < now - IDLE_TIMEOUT)
        | (sessions.c.created_at < now - ABSOLUTE_TIMEOUT)
    )
    with _transaction(engine) as conn:
        return conn.execute(delete(sessions).where(dead)).rowcount
