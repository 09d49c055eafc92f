"""accounts.sessions: sign-in with lock-out, server-side sessions with idle and absolute expiry."""

import datetime as dt
import json

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select

from accounts.scope import Role, Scope
from accounts.sessions import (
    ABSOLUTE_TIMEOUT,
    IDLE_TIMEOUT,
    LOCKED_MESSAGE,
    LOCKOUT,
    MAX_FAILED_ATTEMPTS,
    WRONG_CREDENTIALS,
    authenticate,
    end_session,
    end_sessions_of,
    purge_sessions,
    resolve,
    start_session,
    token_hash,
)
from accounts.users import add_user, get_user, reset_password, set_active, set_role
from db.tables import UTC, audit_log, sessions, users
from reference.areas import load_reference

FAST = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
REF = load_reference()
PASSWORD = "correct paard batterij"
WRONG = "verkeerd wachtwoord"
T0 = dt.datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
MINUTE = dt.timedelta(minutes=1)


class CountingHasher(PasswordHasher):
    """FAST, counting how often a hash is verified (the expensive step)."""

    def __init__(self):
        super().__init__(time_cost=1, memory_cost=8, parallelism=1)
        self.verified = 0

    def verify(self, hash, password):  # noqa: A002 (the library's own parameter name)
        self.verified += 1
        return super().verify(hash, password)


@pytest.fixture
def piet(engine):
    return add_user(
        engine, "piet", "gemeente", municipalities=["GM0014"], password=PASSWORD, actor="beheer",
        reference=REF, hasher=FAST, now=T0,
    )  # fmt: skip


def login(engine, name="piet", password=PASSWORD, at=T0, **kwargs):
    return authenticate(engine, name, password, now=at, hasher=FAST, **kwargs)


def audit(engine, since=0):
    with engine.connect() as conn:
        rows = conn.execute(select(audit_log).where(audit_log.c.id > since).order_by(audit_log.c.id)).all()
    return [(r.actor, r.action, r.subject, json.loads(r.details)) for r in rows]


def last_audit_id(engine):
    with engine.connect() as conn:
        return conn.execute(select(audit_log.c.id).order_by(audit_log.c.id.desc())).scalars().first() or 0


# --- authenticate -----------------------------------------------------------------------------


def test_right_password_signs_in(engine, piet):
    result = login(engine, "  PIET ", client="10.0.0.7")
    assert result.ok and result.message == ""
    assert result.account.id == piet.id and result.account.role is Role.GEMEENTE
    assert audit(engine, 1) == [("piet", "inloggen", "piet", {"adres": "10.0.0.7"})]


@pytest.mark.parametrize(("name", "password"), [("piet", WRONG), ("piet", ""), ("niemand", PASSWORD), ("", PASSWORD)])
def test_wrong_password_and_unknown_name_get_the_same_answer(engine, piet, name, password):
    result = login(engine, name, password)
    assert (result.ok, result.account, result.message) == (False, None, WRONG_CREDENTIALS)
    assert WRONG_CREDENTIALS == "Onbekende naam of onjuist wachtwoord."


def test_unknown_name_costs_the_same_hashing_work(engine, piet):
    hasher = CountingHasher()
    authenticate(engine, "niemand", PASSWORD, now=T0, hasher=hasher)
    authenticate(engine, "piet", WRONG, now=T0, hasher=hasher)
    assert hasher.verified == 2


def test_failed_sign_ins_are_audited_with_the_name_tried(engine, piet):
    login(engine, "Niemand", PASSWORD)
    login(engine, "piet", WRONG)
    assert audit(engine, 1) == [
        ("anoniem", "inloggen_mislukt", "niemand", {"reden": "onbekende naam"}),
        ("anoniem", "inloggen_mislukt", "piet", {"reden": "wachtwoord"}),
    ]


def test_an_overlong_password_or_name_is_refused(engine, piet):
    assert login(engine, "piet", PASSWORD + "x" * 2000).message == WRONG_CREDENTIALS
    assert login(engine, "x" * 5000, PASSWORD).message == WRONG_CREDENTIALS


def test_lock_out_after_five_failures(engine, piet):
    for attempt in range(1, MAX_FAILED_ATTEMPTS):
        assert login(engine, password=WRONG, at=T0 + attempt * MINUTE).message == WRONG_CREDENTIALS
    locked_at = T0 + 5 * MINUTE
    assert login(engine, password=WRONG, at=locked_at).message == LOCKED_MESSAGE
    assert get_user(engine, "piet").locked_until == locked_at + LOCKOUT
    assert LOCKED_MESSAGE.startswith("Te veel mislukte pogingen. Probeer het over 15 minuten opnieuw")
    assert (dt.timedelta(minutes=15), 5) == (LOCKOUT, MAX_FAILED_ATTEMPTS)

    # refused with the right password for the whole lock; attempts while locked do not extend it
    for at in (locked_at, locked_at + 7 * MINUTE, locked_at + LOCKOUT - dt.timedelta(seconds=1)):
        result = login(engine, at=at)
        assert (result.ok, result.message) == (False, LOCKED_MESSAGE)
    refusals = [e[3] for e in audit(engine) if e[1] == "inloggen_mislukt"]
    assert refusals[-3:] == [{"reden": "geblokkeerd"}] * 3
    assert login(engine, at=locked_at + LOCKOUT).ok
    assert get_user(engine, "piet").failed_attempts == 0
    locks = [e for e in audit(engine) if e[1] == "account_geblokkeerd"]
    assert locks == [("systeem", "account_geblokkeerd", "piet",
                      {"pogingen": 5, "tot": (locked_at + LOCKOUT).isoformat()})]  # fmt: skip


def test_failures_must_be_consecutive(engine, piet):
    for round_ in range(3):
        for attempt in range(MAX_FAILED_ATTEMPTS - 1):
            assert login(engine, password=WRONG, at=T0 + (round_ * 10 + attempt) * MINUTE).message == WRONG_CREDENTIALS
        assert login(engine, at=T0 + (round_ * 10 + 5) * MINUTE).ok  # resets the count
    assert get_user(engine, "piet").locked_until is None


def test_after_a_lock_expires_the_count_starts_again(engine, piet):
    for _ in range(MAX_FAILED_ATTEMPTS):
        login(engine, password=WRONG)
    after = T0 + LOCKOUT
    assert login(engine, password=WRONG, at=after).message == WRONG_CREDENTIALS  # not locked again at once
    assert login(engine, at=after).ok


def test_lock_out_of_one_user_leaves_others_alone(engine, piet):
    add_user(engine, "jan", "stuurgroep", password=PASSWORD, actor="b", reference=REF, hasher=FAST, now=T0)
    for _ in range(MAX_FAILED_ATTEMPTS):
        login(engine, password=WRONG)
    assert login(engine, "jan").ok
    for _ in range(20):
        login(engine, "niemand", WRONG)  # unknown names never lock anything
    assert login(engine, "jan").ok


def test_disabled_account_is_refused_even_with_the_right_password(engine, piet):
    set_active(engine, "piet", False, actor="beheer", now=T0)
    result = login(engine)
    assert not result.ok and result.account is None and "uitgeschakeld" in result.message
    assert login(engine, password=WRONG).message == WRONG_CREDENTIALS  # no hint without the password
    assert audit(engine)[-2][1:] == ("inloggen_mislukt", "piet", {"reden": "uitgeschakeld"})


def test_sign_in_rehashes_a_hash_with_old_parameters(engine, piet):
    stronger = PasswordHasher(time_cost=2, memory_cost=16, parallelism=1)
    old = get_user(engine, "piet")
    assert authenticate(engine, "piet", PASSWORD, now=T0, hasher=stronger).ok
    with engine.connect() as conn:
        new_hash = conn.execute(select(users.c.password_hash)).scalar_one()
    assert new_hash.startswith("$argon2id$v=19$m=16,t=2,p=1$")
    assert audit(engine)[-1][3] == {"opnieuw_gehasht": True}
    assert get_user(engine, "piet").password_changed_at == old.password_changed_at  # sessions stay valid
    assert authenticate(engine, "piet", PASSWORD, now=T0, hasher=stronger).ok
    assert audit(engine)[-1][3] == {}  # no second rehash


# --- sessions ---------------------------------------------------------------------------------


def test_session_resolves_to_account_and_scope(engine, piet):
    token = start_session(engine, piet, now=T0)
    account, scope = resolve(engine, token, now=T0)
    assert account == get_user(engine, "piet")
    assert scope == Scope("piet", Role.GEMEENTE, municipalities=frozenset({"GM0014"}))


def test_only_the_hash_of_the_token_is_stored(engine, piet):
    token = start_session(engine, piet, now=T0)
    assert len(token) >= 43  # 32 random bytes
    with engine.connect() as conn:
        row = conn.execute(select(sessions)).one()
    assert row.token_hash == token_hash(token) and token not in repr(tuple(row))
    assert resolve(engine, row.token_hash, now=T0) is None  # the stored value is no key


@pytest.mark.parametrize("token", [None, "", "x", "a" * 43, "a" * 10_000])
def test_unknown_tokens_resolve_to_nothing(engine, piet, token):
    start_session(engine, piet, now=T0)
    assert resolve(engine, token, now=T0) is None


def test_tokens_differ(engine, piet):
    assert len({start_session(engine, piet, now=T0) for _ in range(20)}) == 20


def test_idle_expiry(engine, piet):
    token = start_session(engine, piet, now=T0)
    at = T0
    for _ in range(4):  # active every 29 minutes: stays signed in
        at += IDLE_TIMEOUT - MINUTE
        assert resolve(engine, token, now=at) is not None
    assert resolve(engine, token, now=at + IDLE_TIMEOUT) is not None  # exactly 30 minutes: still in
    other = start_session(engine, piet, now=T0)
    assert resolve(engine, other, now=T0 + IDLE_TIMEOUT + dt.timedelta(seconds=1)) is None
    assert resolve(engine, other, now=T0 + dt.timedelta(seconds=1)) is None  # once expired, ended for good
    expired = [e for e in audit(engine) if e[1] == "sessie_verlopen"]
    assert expired == [("systeem", "sessie_verlopen", "piet", {"reden": "inactief"})]


def test_absolute_expiry(engine, piet):
    token = start_session(engine, piet, now=T0)
    at = T0
    while at + 20 * MINUTE <= T0 + ABSOLUTE_TIMEOUT:
        at += 20 * MINUTE
        assert resolve(engine, token, now=at) is not None
    assert resolve(engine, token, now=T0 + ABSOLUTE_TIMEOUT + MINUTE) is None
    assert audit(engine)[-1][1:] == ("sessie_verlopen", "piet", {"reden": "maximale duur"})


def test_last_seen_is_written_at_most_once_a_minute(engine, piet):
    token = start_session(engine, piet, now=T0)

    def last_seen():
        with engine.connect() as conn:
            return conn.execute(select(sessions.c.last_seen_at)).scalar_one()

    resolve(engine, token, now=T0 + dt.timedelta(seconds=59))
    assert last_seen() == T0
    resolve(engine, token, now=T0 + MINUTE)
    assert last_seen() == T0 + MINUTE
    resolve(engine, token, now=T0 + dt.timedelta(seconds=30))  # a worker whose clock is behind
    assert last_seen() == T0 + MINUTE


def test_sign_out_ends_the_session(engine, piet):
    token = start_session(engine, piet, now=T0)
    other = start_session(engine, piet, now=T0)
    assert end_session(engine, token, "piet", now=T0 + MINUTE)
    assert resolve(engine, token, now=T0 + MINUTE) is None
    assert resolve(engine, other, now=T0 + MINUTE) is not None  # another browser stays signed in
    assert not end_session(engine, token, "piet", now=T0 + MINUTE)
    assert not end_session(engine, "onzin", "piet")
    assert [e for e in audit(engine) if e[1] == "uitloggen"] == [("piet", "uitloggen", "piet", {})]


def test_end_sessions_of_ends_all_sessions_of_one_user(engine, piet):
    jan = add_user(engine, "jan", "stuurgroep", password=PASSWORD, actor="b", reference=REF, hasher=FAST, now=T0)
    mine = [start_session(engine, piet, now=T0) for _ in range(3)]
    his = start_session(engine, jan, now=T0)
    assert end_sessions_of(engine, "PIET", actor="beheer", now=T0) == 3
    assert all(resolve(engine, t, now=T0) is None for t in mine)
    assert resolve(engine, his, now=T0) is not None
    assert end_sessions_of(engine, "piet", actor="beheer", now=T0) == 0
    assert end_sessions_of(engine, "niemand", actor="beheer", now=T0) == 0
    assert audit(engine)[-1] == ("beheer", "uitloggen", "piet", {"sessies_beeindigd": 3})


@pytest.mark.parametrize(
    "change",
    [
        lambda e: reset_password(e, "piet", "nieuw wachtwoord 123", actor="b", hasher=FAST, now=T0 + MINUTE),
        lambda e: set_role(e, "piet", "stuurgroep", actor="b", reference=REF, now=T0 + MINUTE),
        lambda e: set_active(e, "piet", False, actor="b", now=T0 + MINUTE),
    ],
    ids=["reset-password", "set-role", "disable"],
)
def test_changed_rights_end_sessions_at_once(engine, piet, change):
    token = start_session(engine, piet, now=T0)
    change(engine)
    assert resolve(engine, token, now=T0 + MINUTE) is None


def test_a_session_of_a_user_disabled_behind_its_back_is_refused(engine, piet):
    """Also when the sessions row was not ended (the user row changed by other means)."""
    token = start_session(engine, piet, now=T0)
    with engine.begin() as conn:
        conn.execute(users.update().values(active=False))
    assert resolve(engine, token, now=T0) is None
    with engine.begin() as conn:
        conn.execute(users.update().values(active=True, password_changed_at=T0 + MINUTE))
    assert resolve(engine, token, now=T0 + MINUTE) is None  # password changed after the session began


def test_no_secret_reaches_the_audit_log(engine, piet):
    token = start_session(engine, piet, now=T0)
    login(engine, password=WRONG)
    login(engine)
    resolve(engine, token, now=T0 + 2 * IDLE_TIMEOUT)
    end_session(engine, token, "piet")
    with engine.connect() as conn:
        stored = conn.execute(select(users.c.password_hash)).scalar_one()
    text = repr(audit(engine))
    for secret in (PASSWORD, WRONG, token, token_hash(token), stored):
        assert secret not in text


def test_purge_deletes_only_sessions_that_can_never_be_used_again(engine, piet):
    account = login(engine).account
    ended = start_session(engine, account, now=T0)
    end_session(engine, ended, actor="piet", now=T0)
    idle = start_session(engine, account, now=T0)
    old = start_session(engine, account, now=T0 - dt.timedelta(hours=13))
    live = start_session(engine, account, now=T0 + dt.timedelta(minutes=50))
    later = T0 + dt.timedelta(minutes=55)
    assert purge_sessions(engine, now=later) == 3
    assert resolve(engine, live, now=later) is not None
    for token in (ended, idle, old):
        assert resolve(engine, token, now=later) is None
    with engine.connect() as conn:
        assert conn.execute(select(sessions)).all().__len__() == 1
    assert purge_sessions(engine, now=later) == 0
