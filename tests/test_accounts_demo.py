"""accounts.demo: one working account per role, new passwords on every start, scopes from the reference."""

import json

from argon2 import PasswordHasher
from sqlalchemy import select

from accounts.demo import demo_accounts, demo_scopes
from accounts.scope import Role
from accounts.sessions import authenticate
from accounts.users import get_user, list_users, scope_of, set_active, set_role
from db.tables import audit_log
from reference.areas import load_reference

FAST = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
REF = load_reference()


def test_one_account_per_role_that_signs_in(engine):
    accounts = demo_accounts(engine, REF, hasher=FAST)
    assert sorted(a.role for a in accounts) == sorted(Role)
    for name, role, scope, password in accounts:
        result = authenticate(engine, name, password, hasher=FAST)
        assert result.ok, name
        assert result.account.role is role and name == f"demo-{role}"
        assert scope
    assert len(list_users(engine)) == len(Role)


def test_scopes_are_real_and_lie_in_one_region(engine):
    by_role = {a.role: a for a in demo_accounts(engine, REF, hasher=FAST)}
    projectleider = scope_of(get_user(engine, "demo-projectleider"))
    assert projectleider.region in REF.regions
    gemeente = scope_of(get_user(engine, "demo-gemeente"))
    ketenpartner = scope_of(get_user(engine, "demo-ketenpartner"))
    assert len(gemeente.municipalities) == 1 and len(ketenpartner.municipalities) == 2
    for code in gemeente.municipalities | ketenpartner.municipalities:
        assert REF.municipalities[code].end is None
        assert REF.region_of(code).code == projectleider.region
    assert gemeente.full_detail_municipality(next(iter(gemeente.municipalities)), REF)
    assert by_role[Role.PROJECTLEIDER].scope.startswith(f"regio {projectleider.region} ")
    assert by_role[Role.BEHEERDER].scope == "alles"


def test_the_choice_is_deterministic():
    assert demo_scopes(REF) == demo_scopes(REF)
    assert demo_scopes(REF)[1][2] == sorted(REF.regions)[0]


def test_every_call_gives_new_passwords_and_repairs_the_accounts(engine):
    first = {a.name: a.password for a in demo_accounts(engine, REF, hasher=FAST)}
    set_active(engine, "demo-beheerder", False, actor="iemand")
    set_role(engine, "demo-gemeente", "stuurgroep", actor="iemand", reference=REF)
    for _ in range(5):
        authenticate(engine, "demo-stuurgroep", "fout wachtwoord", hasher=FAST)
    second = {a.name: a.password for a in demo_accounts(engine, REF, hasher=FAST)}
    assert first.keys() == second.keys()
    assert all(first[name] != second[name] for name in first)
    for name, password in second.items():
        assert authenticate(engine, name, password, hasher=FAST).ok, name
        assert not authenticate(engine, name, first[name], hasher=FAST).ok, name
    assert get_user(engine, "demo-gemeente").role is Role.GEMEENTE
    assert len(list_users(engine)) == len(Role)


def test_changes_are_audited_as_demo(engine):
    demo_accounts(engine, REF, hasher=FAST)
    demo_accounts(engine, REF, hasher=FAST)
    with engine.connect() as conn:
        rows = conn.execute(select(audit_log.c.actor, audit_log.c.action, audit_log.c.details)).all()
    assert {r.actor for r in rows} == {"demo"}
    assert sorted({r.action for r in rows}) == ["gebruiker_toegevoegd", "wachtwoord_gereset"]
    assert all("argon2" not in r.details and json.loads(r.details) is not None for r in rows)
