"""Passwords: argon2id hashes (memory-hard) and the password policy.

Production always uses `HASHER` (argon2-cffi's defaults: argon2id, 64 MiB, 3 passes, RFC 9106's
low-memory profile). Tests pass a cheaper `hasher=` explicitly; there is no global switch that a
deployment could leave on by accident.
"""

from __future__ import annotations

import secrets
from functools import cache

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError

MIN_LENGTH = 12
MAX_LENGTH = 1024  # hashing work grows with the length; nobody types more
HASHER = PasswordHasher(type=Type.ID)


class PasswordRejected(ValueError):
    """The password does not meet the policy; the message says what is needed (Dutch)."""


def check_policy(password: str, name: str) -> None:
    """Raise `PasswordRejected` unless `password` is acceptable for the user `name`."""
    if len(password) < MIN_LENGTH:
        raise PasswordRejected(f"Een wachtwoord moet minstens {MIN_LENGTH} tekens lang zijn.")
    if len(password) > MAX_LENGTH:
        raise PasswordRejected(f"Een wachtwoord mag hoogstens {MAX_LENGTH} tekens lang zijn.")
    if password.strip().casefold() == name.strip().casefold():
        raise PasswordRejected("Het wachtwoord mag niet gelijk zijn aan de gebruikersnaam.")


def hash_password(password: str, *, hasher: PasswordHasher | None = None) -> str:
    return (hasher or HASHER).hash(password)


def verify(password_hash: str, password: str, *, hasher: PasswordHasher | None = None) -> bool:
    """Whether `password` matches `password_hash`; False also for a damaged or foreign hash."""
    try:
        return (hasher or HASHER).verify(password_hash, password)
    except (VerificationError, InvalidHashError):  # VerifyMismatchError is a VerificationError
        return False


def needs_rehash(password_hash: str, *, hasher: PasswordHasher | None = None) -> bool:
    """Whether the hash was made with other parameters than `hasher`'s (then hash it anew)."""
    try:
        return (hasher or HASHER).check_needs_rehash(password_hash)
    except (InvalidHashError, ValueError):
        return True


@cache
def dummy_hash(hasher: PasswordHasher | None = None) -> str:
    """A hash of a random password, to verify against when a name is unknown (same work)."""
    return hash_password(secrets.token_urlsafe(16), hasher=hasher)


def generate_password() -> str:
    """A random password of 20 characters that meets the policy."""
    return secrets.token_urlsafe(15)
