"""Demo accounts for `make run`: one per role, with fresh random passwords on every start.

The region is the first of the region division (the sample data covers every region), the
municipalities the first existing ones of that region by code, so the accounts are the same on
every start; only the passwords change. Never used in production: `dashboard.wsgi` refuses to
start while any of them is active in its database (`active_demo_accounts`); `python -m accounts
disable-demo` disables them (`disable_demo_accounts`).
"""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from argon2 import PasswordHasher
from sqlalchemy import Engine, select

from accounts.passwords import generate_password
from accounts.scope import Role
from accounts.users import add_user, get_user, reset_password, scope_text, set_active, set_role
from db.tables import UTC, users
from reference.areas import Reference

ACTOR = "demo"
NAMES = {role: f"demo-{role}" for role in Role}  # one account per role


class DemoAccount(NamedTuple):
    name: str
    role: Role
    scope: str  # in words, for the start-up banner
    password: str


def demo_scopes(reference: Reference, today: dt.date | None = None) -> list[tuple[str, Role, str | None, tuple]]:
    """(name, role, region, municipalities) of the demo accounts, chosen from the reference."""
    today = today or dt.datetime.now(UTC).date()
    region = sorted(reference.regions)[0]
    members = sorted(
        code
        for code, member_of in reference.region_members.items()
        if member_of == region
        and code in reference.municipalities
        and (reference.municipalities[code].end is None or reference.municipalities[code].end > today)
    )
    return [
        (NAMES[Role.BEHEERDER], Role.BEHEERDER, None, ()),
        (NAMES[Role.PROJECTLEIDER], Role.PROJECTLEIDER, region, ()),
        (NAMES[Role.GEMEENTE], Role.GEMEENTE, None, tuple(members[:1])),
        (NAMES[Role.KETENPARTNER], Role.KETENPARTNER, None, tuple(members[:2])),
        (NAMES[Role.STUURGROEP], Role.STUURGROEP, None, ()),
    ]


def demo_accounts(engine: Engine, reference: Reference, *, hasher: PasswordHasher | None = None) -> list[DemoAccount]:
    """Create or reset the demo accounts (role, scope, enabled, new password); returns them."""
    result = []
    for name, role, region, municipalities in demo_scopes(reference):
        password = generate_password()
        if get_user(engine, name) is None:
            account = add_user(
                engine, name, role, region=region, municipalities=municipalities, password=password,
                actor=ACTOR, reference=reference, hasher=hasher,
            )  # fmt: skip
        else:
            set_role(engine, name, role, region=region, municipalities=municipalities, actor=ACTOR, reference=reference)
            set_active(engine, name, True, actor=ACTOR)
            account = reset_password(engine, name, password, actor=ACTOR, hasher=hasher)
        result.append(DemoAccount(account.name, account.role, scope_text(account, reference), password))
    return result


def active_demo_accounts(engine: Engine) -> list[str]:
    """The names of the demo accounts that are active in this database (none in production)."""
    query = select(users.c.name).where(users.c.name.in_(NAMES.values()), users.c.active).order_by(users.c.name)
    with engine.connect() as conn:
        return list(conn.execute(query).scalars())


def disable_demo_accounts(engine: Engine, *, actor: str) -> list[str]:
    """Disable every active demo account (their sessions end); returns their names."""
    names = active_demo_accounts(engine)
    for name in names:
        set_active(engine, name, False, actor=actor)
    return names
