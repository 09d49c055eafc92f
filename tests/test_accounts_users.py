"""accounts.users: adding and changing accounts, scope validation against the reference, the audit."""

import datetime as dt
import json

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select

from accounts.passwords import PasswordRejected
from accounts.scope import Role, Scope
from accounts.sessions import authenticate, resolve, start_session
from accounts.users import (
    AccountError,
    add_user,
    get_user,
    list_users,
    reset_password,
    scope_of,
    scope_text,
    set_active,
    set_role,
    set_scope,
)
from db.audit import Action
from db.tables import UTC, audit_log, users
from reference.areas import load_reference

FAST = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
REF = load_reference()
PASSWORD = "correct paard batterij"
T0 = dt.datetime(2025, 3, 1, 9, 0, tzinfo=UTC)


def add(engine, name="piet", role="stuurgroep", **kwargs):
    kwargs.setdefault("password", PASSWORD)
    kwargs.setdefault("actor", "beheer")
    return add_user(engine, name, role, reference=REF, hasher=FAST, now=T0, **kwargs)


def audit(engine):
    with engine.connect() as conn:
        rows = conn.execute(select(audit_log).order_by(audit_log.c.id)).all()
    return [(r.actor, r.action, r.subject, json.loads(r.details)) for r in rows]


def stored_hash(engine, name):
    with engine.connect() as conn:
        return conn.execute(select(users.c.password_hash).where(users.c.name == name)).scalar_one()


@pytest.mark.parametrize(
    ("role", "region", "municipalities", "scope"),
    [
        ("beheerder", None, [], Scope("piet", Role.BEHEERDER)),
        ("stuurgroep", None, [], Scope("piet", Role.STUURGROEP)),
        ("projectleider", "vr01", [], Scope("piet", Role.PROJECTLEIDER, region="VR01")),
        ("gemeente", None, ["gm0014"], Scope("piet", Role.GEMEENTE, municipalities=frozenset({"GM0014"}))),
        (
            "ketenpartner",
            None,
            ["GM0037", "GM0014", "GM0037"],
            Scope("piet", Role.KETENPARTNER, municipalities=frozenset({"GM0014", "GM0037"})),
        ),
    ],
)
def test_add_user_per_role(engine, role, region, municipalities, scope):
    account = add(engine, "piet", role, region=region, municipalities=municipalities)
    assert scope_of(account) == scope
    assert get_user(engine, "PIET") == account
    assert account.active and account.failed_attempts == 0 and account.locked_until is None
    assert account.created_at == account.password_changed_at == T0
    assert account.municipalities == tuple(sorted(scope.municipalities))


@pytest.mark.parametrize(
    ("role", "region", "municipalities", "message"),
    [
        ("projectleider", None, [], "heeft een regio nodig"),
        ("projectleider", "VR99", [], "Onbekende regiocode 'VR99'"),
        ("projectleider", "GM0014", [], "Onbekende regiocode"),
        ("projectleider", "VR01", ["GM0014"], "geen gemeenten"),
        ("gemeente", None, [], "precies één gemeente"),
        ("gemeente", None, ["GM0014", "GM0037"], "precies één gemeente"),
        ("gemeente", None, ["GM9999"], "Onbekende gemeentecode 'GM9999'"),
        ("gemeente", None, ["Groningen"], "Onbekende gemeentecode 'GRONINGEN'"),
        ("gemeente", None, ["GM0017"], r"GM0017 \(Haren\) bestaat niet meer; gebruik GM0014 \(Groningen\)"),
        ("gemeente", "VR01", ["GM0014"], "geen regio"),
        ("ketenpartner", None, [], "minstens één gemeente"),
        ("ketenpartner", None, ["GM0014", "GM9999"], "Onbekende gemeentecode 'GM9999'"),
        ("ketenpartner", "VR01", ["GM0014"], "geen regio"),
        ("beheerder", "VR01", [], "Een beheerder heeft geen regio of gemeenten"),
        ("beheerder", None, ["GM0014"], "Een beheerder heeft geen regio of gemeenten"),
        ("stuurgroep", "VR01", [], "Een stuurgroep heeft geen regio of gemeenten"),
        ("koning", None, [], "Onbekende rol 'koning'. Kies uit: beheerder, projectleider"),
        ("", None, [], "Onbekende rol"),
    ],
)
def test_scope_that_does_not_fit_the_role_is_refused_and_nothing_stored(engine, role, region, municipalities, message):
    with pytest.raises(AccountError, match=message):
        add(engine, "piet", role, region=region, municipalities=municipalities)
    assert list_users(engine) == []
    assert audit(engine) == []


@pytest.mark.parametrize(
    "name", ["", " ", "a", "met spatie", "x" * 101, "piet;drop", "ë-teken", "-piet", "pi\net", "piet\x00"]
)
def test_bad_names_are_refused(engine, name):
    with pytest.raises(AccountError, match="2 tot 100 tekens"):
        add(engine, name)
    assert list_users(engine) == []


def test_names_are_lower_cased_and_unique(engine):
    assert add(engine, "  Piet.Jansen@Regio ").name == "piet.jansen@regio"
    with pytest.raises(AccountError, match="Er is al een gebruiker 'piet.jansen@regio'"):
        add(engine, "PIET.JANSEN@REGIO", "beheerder")
    assert [(a.name, a.role) for a in list_users(engine)] == [("piet.jansen@regio", Role.STUURGROEP)]


@pytest.mark.parametrize(("password", "message"), [("kort", "minstens 12"), ("piet.jansen1", "gebruikersnaam")])
def test_add_user_applies_the_password_policy(engine, password, message):
    with pytest.raises(PasswordRejected, match=message):
        add(engine, "piet.jansen1", password=password)
    assert list_users(engine) == [] and audit(engine) == []


def test_password_is_stored_as_argon2id_hash_only(engine):
    add(engine, "piet")
    hashed = stored_hash(engine, "piet")
    assert hashed.startswith("$argon2id$") and PASSWORD not in hashed
    with engine.connect() as conn:
        row = conn.execute(select(users)).one()
    assert PASSWORD not in repr(tuple(row))
    assert "password_hash" not in repr(get_user(engine, "piet"))  # an Account never carries the hash


def test_add_user_is_audited_without_secrets(engine):
    add(engine, "piet", "ketenpartner", municipalities=["GM0014", "GM0037"], actor="cli:root")
    assert audit(engine) == [
        ("cli:root", "gebruiker_toegevoegd", "piet",
         {"rol": "ketenpartner", "regio": None, "gemeenten": ["GM0014", "GM0037"]}),
    ]  # fmt: skip


def test_set_role_records_old_and_new_and_ends_sessions(engine):
    account = add(engine, "piet", "gemeente", municipalities=["GM0014"])
    token = start_session(engine, account, now=T0)
    changed = set_role(engine, "piet", "projectleider", region="VR01", actor="beheer", reference=REF, now=T0)
    assert scope_of(changed) == Scope("piet", Role.PROJECTLEIDER, region="VR01")
    assert resolve(engine, token, now=T0) is None
    assert audit(engine)[-1] == (
        "beheer", "gebruiker_gewijzigd", "piet",
        {"rol": ["gemeente", "projectleider"], "regio": [None, "VR01"], "gemeenten": [["GM0014"], []],
         "sessies_beeindigd": 1},
    )  # fmt: skip


def test_set_role_validates_the_new_scope_and_changes_nothing_when_refused(engine):
    account = add(engine, "piet", "gemeente", municipalities=["GM0014"])
    token = start_session(engine, account, now=T0)
    with pytest.raises(AccountError, match="heeft een regio nodig"):
        set_role(engine, "piet", "projectleider", actor="beheer", reference=REF, now=T0)
    assert get_user(engine, "piet") == account
    assert resolve(engine, token, now=T0) is not None
    assert len(audit(engine)) == 1


def test_set_scope_keeps_the_role(engine):
    add(engine, "vt", "ketenpartner", municipalities=["GM0014"])
    changed = set_scope(engine, "vt", municipalities=["GM0037", "GM0047"], actor="beheer", reference=REF, now=T0)
    assert changed.role is Role.KETENPARTNER and changed.municipalities == ("GM0037", "GM0047")
    assert audit(engine)[-1][3] == {"gemeenten": [["GM0014"], ["GM0037", "GM0047"]], "sessies_beeindigd": 0}
    with pytest.raises(AccountError, match="minstens één gemeente"):
        set_scope(engine, "vt", actor="beheer", reference=REF, now=T0)


def test_a_change_that_changes_nothing_is_not_audited_and_keeps_sessions(engine):
    account = add(engine, "pl", "projectleider", region="VR01")
    token = start_session(engine, account, now=T0)
    set_scope(engine, "pl", region="vr01", actor="beheer", reference=REF, now=T0)
    assert len(audit(engine)) == 1
    assert resolve(engine, token, now=T0) is not None


@pytest.mark.parametrize(
    "change",
    [
        lambda e: set_role(e, "niemand", "beheerder", actor="b", reference=REF),
        lambda e: set_scope(e, "niemand", region="VR01", actor="b", reference=REF),
        lambda e: reset_password(e, "niemand", PASSWORD, actor="b", hasher=FAST),
        lambda e: set_active(e, "niemand", False, actor="b"),
    ],
)
def test_changing_an_unknown_user_is_refused(engine, change):
    add(engine, "piet")
    with pytest.raises(AccountError, match="Er is geen gebruiker 'niemand'"):
        change(engine)
    assert len(audit(engine)) == 1


def test_reset_password_replaces_it_lifts_a_lock_and_ends_sessions(engine):
    account = add(engine, "piet")
    token = start_session(engine, account, now=T0)
    for _ in range(5):
        authenticate(engine, "piet", "fout fout fout", now=T0, hasher=FAST)
    assert get_user(engine, "piet").locked(T0)
    later = T0 + dt.timedelta(minutes=1)
    reset_password(engine, "piet", "een heel nieuw wachtwoord", actor="beheer", hasher=FAST, now=later)
    assert not get_user(engine, "piet").locked(later)
    assert get_user(engine, "piet").password_changed_at == later
    assert resolve(engine, token, now=later) is None
    assert not authenticate(engine, "piet", PASSWORD, now=later, hasher=FAST).ok
    assert authenticate(engine, "piet", "een heel nieuw wachtwoord", now=later, hasher=FAST).ok
    entry = next(e for e in audit(engine) if e[1] == Action.PASSWORD_RESET)
    assert entry == ("beheer", "wachtwoord_gereset", "piet", {"ontgrendeld": True, "sessies_beeindigd": 1})


def test_reset_password_applies_the_policy(engine):
    add(engine, "piet")
    before = stored_hash(engine, "piet")
    with pytest.raises(PasswordRejected):
        reset_password(engine, "piet", "kort", actor="beheer", hasher=FAST)
    assert stored_hash(engine, "piet") == before


def test_disable_and_enable(engine):
    account = add(engine, "piet")
    token = start_session(engine, account, now=T0)
    assert not set_active(engine, "piet", False, actor="beheer", now=T0).active
    assert resolve(engine, token, now=T0) is None
    assert not authenticate(engine, "piet", PASSWORD, now=T0, hasher=FAST).ok
    enabled = set_active(engine, "piet", True, actor="beheer", now=T0)
    assert enabled.active
    assert resolve(engine, token, now=T0) is None  # enabling does not revive ended sessions
    assert authenticate(engine, "piet", PASSWORD, now=T0, hasher=FAST).ok
    assert [e[3] for e in audit(engine) if e[1] == Action.USER_CHANGED] == [
        {"actief": [True, False], "sessies_beeindigd": 1},
        {"actief": [False, True]},
    ]


def test_enable_lifts_a_lock_out(engine):
    add(engine, "piet")
    for _ in range(5):
        authenticate(engine, "piet", "fout fout fout", now=T0, hasher=FAST)
    assert get_user(engine, "piet").locked(T0)
    set_active(engine, "piet", True, actor="beheer", now=T0)
    assert authenticate(engine, "piet", PASSWORD, now=T0, hasher=FAST).ok
    assert audit(engine)[-2][1:] == ("gebruiker_gewijzigd", "piet", {"ontgrendeld": True})


def test_no_audit_entry_ever_holds_a_password_or_hash(engine):
    account = add(engine, "piet", "gemeente", municipalities=["GM0014"])
    set_role(engine, "piet", "beheerder", actor="b", reference=REF)
    reset_password(engine, "piet", "tweede wachtwoord!", actor="b", hasher=FAST)
    authenticate(engine, "piet", "derde wachtwoord?", hasher=FAST)
    authenticate(engine, "piet", "tweede wachtwoord!", hasher=FAST)
    set_active(engine, "piet", False, actor="b")
    text = repr(audit(engine))
    for secret in (PASSWORD, "tweede wachtwoord!", "derde wachtwoord?", stored_hash(engine, "piet"), "argon2"):
        assert secret not in text
    assert account.id == get_user(engine, "piet").id


def test_scope_text():
    def account_like(role, region=None, municipalities=()):
        from accounts.users import Account

        return Account(1, "x", role, region, municipalities, True, 0, None, T0, T0)

    assert scope_text(account_like(Role.BEHEERDER), REF) == "alles"
    assert scope_text(account_like(Role.PROJECTLEIDER, "VR01"), REF) == "regio VR01 Groningen"
    assert scope_text(account_like(Role.GEMEENTE, None, ("GM0014",)), REF) == "gemeente GM0014 Groningen"
    assert scope_text(account_like(Role.KETENPARTNER, None, ("GM0014", "GM0037")), REF) == (
        "gemeenten GM0014 Groningen, GM0037 Stadskanaal"
    )
