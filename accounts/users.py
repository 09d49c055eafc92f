"""User accounts: adding them, changing role, scope, password and whether they are active.

Every change is checked against the reference data (a projectleider's region must exist, a
gemeente has exactly one existing municipality, ...) and writes its audit entry in the same
transaction. A change of rights ends the user's sessions at once, so the new rights apply to the
next request instead of the next login.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass

from argon2 import PasswordHasher
from sqlalchemy import Connection, Engine, func, select, update
from sqlalchemy.exc import IntegrityError

from accounts.passwords import check_policy, hash_password
from accounts.scope import Role, Scope
from db.audit import Action, record
from db.engine import write_transaction
from db.tables import UTC, sessions, users
from reference.areas import Reference

NAME_PATTERN = re.compile(r"[a-z0-9][a-z0-9._@-]{1,99}")
NAME_RULE = "Een gebruikersnaam heeft 2 tot 100 tekens: letters, cijfers, punt, streepje, liggend streepje of @."


class AccountError(ValueError):
    """A change to an account that cannot be made; the message says what to do (Dutch)."""


@dataclass(frozen=True)
class Account:
    """One user as stored, without the password hash (so it cannot leak into a page or log)."""

    id: int
    name: str
    role: Role
    region: str | None
    municipalities: tuple[str, ...]
    active: bool
    failed_attempts: int
    locked_until: dt.datetime | None
    created_at: dt.datetime
    password_changed_at: dt.datetime

    def locked(self, now: dt.datetime) -> bool:
        return self.locked_until is not None and self.locked_until > now


def account_from_row(row) -> Account:
    m = row._mapping
    return Account(
        id=m["id"],
        name=m["name"],
        role=Role(m["role"]),
        region=m["region"],
        municipalities=tuple(json.loads(m["municipalities"] or "[]")),
        active=bool(m["active"]),
        failed_attempts=m["failed_attempts"],
        locked_until=m["locked_until"],
        created_at=m["created_at"],
        password_changed_at=m["password_changed_at"],
    )


def scope_of(account: Account) -> Scope:
    return Scope(
        user=account.name,
        role=account.role,
        region=account.region,
        municipalities=frozenset(account.municipalities),
    )


def scope_text(account: Account, reference: Reference) -> str:
    """What the account covers, in words: `regio VR01 Groningen`, `gemeente GM0014 Groningen`."""
    if account.role is Role.BEHEERDER:
        return "alles"
    if account.role is Role.STUURGROEP:
        return "regio's en landelijk"
    if account.role is Role.PROJECTLEIDER:
        region = reference.regions.get(account.region or "")
        return f"regio {account.region} {region.name}" if region else f"regio {account.region}"
    names = [
        f"{code} {reference.municipalities[code].name}" if code in reference.municipalities else code
        for code in account.municipalities
    ]
    return ("gemeente " if len(names) == 1 else "gemeenten ") + ", ".join(names)


def normalise_name(name: str) -> str:
    return name.strip().lower()


def _valid_name(name: str) -> str:
    name = normalise_name(name)
    if not NAME_PATTERN.fullmatch(name):
        raise AccountError(NAME_RULE)
    return name


def _role(role: Role | str) -> Role:
    try:
        return Role(str(role).strip().lower())
    except ValueError:
        raise AccountError(f"Onbekende rol '{role}'. Kies uit: {', '.join(r.value for r in Role)}.") from None


def _existing_municipality(code: str, reference: Reference, today: dt.date) -> str:
    code = code.strip().upper()
    municipality = reference.municipalities.get(code)
    if municipality is None:
        raise AccountError(f"Onbekende gemeentecode '{code}'. Geef een CBS-code zoals GM0363.")
    if municipality.end is not None and municipality.end <= today:
        successor = reference.current_code(code)
        hint = f"; gebruik {successor} ({reference.municipalities[successor].name})" if successor != code else ""
        raise AccountError(f"Gemeente {code} ({municipality.name}) bestaat niet meer{hint}.")
    return code


def validate_scope(
    role: Role | str,
    region: str | None,
    municipalities: Iterable[str],
    reference: Reference,
    *,
    today: dt.date | None = None,
) -> tuple[Role, str | None, tuple[str, ...]]:
    """The role, region and municipalities as stored; raises `AccountError` when they do not fit."""
    role = _role(role)
    region = region.strip().upper() if region and region.strip() else None
    today = today or dt.datetime.now(UTC).date()
    codes = tuple(sorted({_existing_municipality(c, reference, today) for c in municipalities}))
    if role in (Role.BEHEERDER, Role.STUURGROEP):
        if region or codes:
            raise AccountError(f"Een {role} heeft geen regio of gemeenten; laat --region en --municipality weg.")
        return role, None, ()
    if role is Role.PROJECTLEIDER:
        if codes:
            raise AccountError("Een projectleider heeft een regio, geen gemeenten; laat --municipality weg.")
        if region is None:
            raise AccountError("Een projectleider heeft een regio nodig; geef die met --region, bijvoorbeeld VR01.")
        if region not in reference.regions:
            known = ", ".join(sorted(reference.regions)[:3])
            raise AccountError(f"Onbekende regiocode '{region}'. Geef een code uit de regio-indeling, zoals {known}.")
        return role, region, ()
    if region:
        raise AccountError(f"Een {role} heeft gemeenten, geen regio; laat --region weg.")
    if role is Role.GEMEENTE and len(codes) != 1:
        raise AccountError("Een gemeente-account hoort bij precies één gemeente; geef die met --municipality.")
    if role is Role.KETENPARTNER and not codes:
        raise AccountError("Een ketenpartner heeft minstens één gemeente nodig; geef die met --municipality.")
    return role, None, codes


def end_sessions_in(connection: Connection, user_id: int, at: dt.datetime) -> int:
    """End every open session of a user (in the caller's transaction); returns how many."""
    result = connection.execute(
        update(sessions).where(sessions.c.user_id == user_id, sessions.c.ended_at.is_(None)).values(ended_at=at)
    )
    return result.rowcount


def _load(connection: Connection, name: str) -> Account:
    row = connection.execute(select(users).where(users.c.name == normalise_name(name))).first()
    if row is None:
        raise AccountError(f"Er is geen gebruiker '{normalise_name(name)}'. Bekijk de gebruikers met 'list'.")
    return account_from_row(row)


def get_user(engine: Engine, name: str) -> Account | None:
    with engine.connect() as conn:
        row = conn.execute(select(users).where(users.c.name == normalise_name(name))).first()
    return account_from_row(row) if row else None


def list_users(engine: Engine) -> list[Account]:
    with engine.connect() as conn:
        return [account_from_row(row) for row in conn.execute(select(users).order_by(users.c.name))]


def add_user(
    engine: Engine,
    name: str,
    role: Role | str,
    *,
    region: str | None = None,
    municipalities: Iterable[str] = (),
    password: str,
    actor: str,
    reference: Reference,
    hasher: PasswordHasher | None = None,
    now: dt.datetime | None = None,
) -> Account:
    """Add an account; raises `AccountError` or `PasswordRejected` (and stores nothing)."""
    now = now or dt.datetime.now(UTC)
    name = _valid_name(name)
    role, region, codes = validate_scope(role, region, municipalities, reference, today=now.date())
    check_policy(password, name)
    taken = AccountError(f"Er is al een gebruiker '{name}'. Kies een andere naam of wijzig die gebruiker.")
    if get_user(engine, name) is not None:  # say so before the hashing wait; checked again below
        raise taken
    password_hash = hash_password(password, hasher=hasher)  # before the transaction: it takes a while
    try:
        with write_transaction(engine) as conn:
            if conn.execute(select(func.count()).where(users.c.name == name)).scalar_one():
                raise taken
            conn.execute(
                users.insert().values(
                    name=name, role=str(role), region=region, municipalities=json.dumps(list(codes)),
                    password_hash=password_hash, active=True, failed_attempts=0, locked_until=None,
                    created_at=now, password_changed_at=now,
                )
            )  # fmt: skip
            details = {"rol": str(role), "regio": region, "gemeenten": list(codes)}
            record(conn, actor=actor, action=Action.USER_ADDED, subject=name, details=details, at=now)
            return _load(conn, name)
    except IntegrityError:  # added by someone else between the check and the insert
        raise taken from None


def _change_scope(
    engine: Engine,
    name: str,
    role: Role | str | None,
    region: str | None,
    municipalities: Iterable[str],
    actor: str,
    reference: Reference,
    now: dt.datetime | None,
) -> Account:
    now = now or dt.datetime.now(UTC)
    municipalities = tuple(municipalities)
    with write_transaction(engine) as conn:
        old = _load(conn, name)
        new_role, region, codes = validate_scope(
            old.role if role is None else role, region, municipalities, reference, today=now.date()
        )
        changes = {
            key: [before, after]
            for key, before, after in (
                ("rol", str(old.role), str(new_role)),
                ("regio", old.region, region),
                ("gemeenten", list(old.municipalities), list(codes)),
            )
            if before != after
        }
        if not changes:
            return old
        conn.execute(
            update(users)
            .where(users.c.id == old.id)
            .values(role=str(new_role), region=region, municipalities=json.dumps(list(codes)))
        )
        changes["sessies_beeindigd"] = end_sessions_in(conn, old.id, now)
        record(conn, actor=actor, action=Action.USER_CHANGED, subject=old.name, details=changes, at=now)
        return _load(conn, name)


def set_role(
    engine: Engine,
    name: str,
    role: Role | str,
    *,
    region: str | None = None,
    municipalities: Iterable[str] = (),
    actor: str,
    reference: Reference,
    now: dt.datetime | None = None,
) -> Account:
    """Give an account another role with the scope that role needs; ends its sessions."""
    return _change_scope(engine, name, role, region, municipalities, actor, reference, now)


def set_scope(
    engine: Engine,
    name: str,
    *,
    region: str | None = None,
    municipalities: Iterable[str] = (),
    actor: str,
    reference: Reference,
    now: dt.datetime | None = None,
) -> Account:
    """Give an account another region or other municipalities, same role; ends its sessions."""
    return _change_scope(engine, name, None, region, municipalities, actor, reference, now)


def reset_password(
    engine: Engine,
    name: str,
    password: str,
    *,
    actor: str,
    hasher: PasswordHasher | None = None,
    now: dt.datetime | None = None,
) -> Account:
    """Set a new password; also lifts a lock-out and ends the account's sessions."""
    now = now or dt.datetime.now(UTC)
    check_policy(password, normalise_name(name))
    password_hash = hash_password(password, hasher=hasher)
    with write_transaction(engine) as conn:
        old = _load(conn, name)
        conn.execute(
            update(users)
            .where(users.c.id == old.id)
            .values(password_hash=password_hash, password_changed_at=now, failed_attempts=0, locked_until=None)
        )
        details = {"ontgrendeld": old.locked(now), "sessies_beeindigd": end_sessions_in(conn, old.id, now)}
        record(conn, actor=actor, action=Action.PASSWORD_RESET, subject=old.name, details=details, at=now)
        return _load(conn, name)


def set_active(engine: Engine, name: str, active: bool, *, actor: str, now: dt.datetime | None = None) -> Account:
    """Disable an account (its sessions end) or enable it again (which also lifts a lock-out)."""
    now = now or dt.datetime.now(UTC)
    with write_transaction(engine) as conn:
        old = _load(conn, name)
        if active:
            values = {"active": True, "failed_attempts": 0, "locked_until": None}
            changes = {"actief": [old.active, True]} if not old.active else {}
            if old.locked(now):
                changes["ontgrendeld"] = True
        else:
            values = {"active": False}
            changes = {"actief": [old.active, False]} if old.active else {}
        conn.execute(update(users).where(users.c.id == old.id).values(**values))
        if not active:
            ended = end_sessions_in(conn, old.id, now)
            if ended:
                changes["sessies_beeindigd"] = ended
        if changes:
            record(conn, actor=actor, action=Action.USER_CHANGED, subject=old.name, details=changes, at=now)
        return _load(conn, name)
