"""accounts.passwords: argon2id hashes, verification that never raises, and the password policy."""

import pytest
from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError

from accounts.passwords import (
    HASHER,
    MIN_LENGTH,
    PasswordRejected,
    check_policy,
    dummy_hash,
    generate_password,
    hash_password,
    needs_rehash,
    verify,
)

FAST = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


def test_production_hasher_is_argon2id_and_memory_hard():
    assert HASHER.type is Type.ID
    assert HASHER.memory_cost >= 19 * 1024  # OWASP's minimum for argon2id: 19 MiB
    assert HASHER.time_cost >= 2
    hashed = hash_password("een lang genoeg wachtwoord")
    assert hashed.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert verify(hashed, "een lang genoeg wachtwoord")


def test_hashes_are_salted():
    assert hash_password("hetzelfde wachtwoord", hasher=FAST) != hash_password("hetzelfde wachtwoord", hasher=FAST)


@pytest.mark.parametrize(
    ("stored", "given", "expected"),
    [
        ("goed wachtwoord 1", "goed wachtwoord 1", True),
        ("goed wachtwoord 1", "goed wachtwoord 2", False),
        ("goed wachtwoord 1", "Goed wachtwoord 1", False),
        ("goed wachtwoord 1", "", False),
        ("goed wachtwoord 1", "goed wachtwoord 1 ", False),
    ],
)
def test_verify(stored, given, expected):
    assert verify(hash_password(stored, hasher=FAST), given, hasher=FAST) is expected


@pytest.mark.parametrize("damaged", ["", "geen hash", "$argon2id$v=19$m=8,t=1,p=1$kapot", "$2b$12$" + "x" * 53])
def test_verify_returns_false_for_a_damaged_or_foreign_hash(damaged):
    with pytest.raises((InvalidHashError, VerificationError)):  # what the library does, and what `verify` must absorb
        FAST.verify(damaged, "wat dan ook")
    assert verify(damaged, "wat dan ook", hasher=FAST) is False


def test_a_hash_verifies_whatever_the_parameters_of_the_hasher():
    assert verify(hash_password("wachtwoord met de goedkope", hasher=FAST), "wachtwoord met de goedkope")


def test_needs_rehash():
    cheap = hash_password("een lang genoeg wachtwoord", hasher=FAST)
    assert needs_rehash(cheap) is True  # made with weaker parameters than production's
    assert needs_rehash(cheap, hasher=FAST) is False
    assert needs_rehash(hash_password("een lang genoeg wachtwoord")) is False
    assert needs_rehash("geen hash") is True


@pytest.mark.parametrize(
    ("password", "name", "message"),
    [
        ("a" * (MIN_LENGTH - 1), "piet", "minstens 12 tekens"),
        ("", "piet", "minstens 12 tekens"),
        ("jan.jansen@gemeente", "jan.jansen@gemeente", "gelijk zijn aan de gebruikersnaam"),
        ("Jan.Jansen@Gemeente", "jan.jansen@gemeente", "gelijk zijn aan de gebruikersnaam"),
        (" jan.jansen@gemeente ", "jan.jansen@gemeente", "gelijk zijn aan de gebruikersnaam"),
        ("x" * 1025, "piet", "hoogstens 1024 tekens"),
    ],
)
def test_policy_refuses(password, name, message):
    with pytest.raises(PasswordRejected, match=message):
        check_policy(password, name)


@pytest.mark.parametrize(
    ("password", "name"), [("a" * MIN_LENGTH, "piet"), ("jan.jansen@gemeente!", "jan.jansen@gemeente")]
)
def test_policy_accepts(password, name):
    check_policy(password, name)


def test_policy_error_is_a_value_error():
    assert issubclass(PasswordRejected, ValueError)


def test_generated_passwords_meet_the_policy_and_differ():
    passwords = {generate_password() for _ in range(50)}
    assert len(passwords) == 50
    for password in passwords:
        check_policy(password, "piet")


def test_dummy_hash_is_a_real_hash_of_the_given_hasher():
    dummy = dummy_hash(FAST)
    assert dummy.startswith("$argon2id$v=19$m=8,t=1,p=1$")
    assert not needs_rehash(dummy, hasher=FAST)
    assert verify(dummy, "", hasher=FAST) is False
