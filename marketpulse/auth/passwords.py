"""Passwords: argon2id hashes (argon2-cffi), checked in constant time; never kept or logged in clear."""

from __future__ import annotations

import contextlib
import functools

import argon2

MIN_LENGTH = 8
_hasher = argon2.PasswordHasher()  # RFC 9106 low-memory profile: argon2id, 64 MiB, 3 passes


class WeakPassword(ValueError):
    """A new password too short to accept."""


def hash_password(password: str) -> str:
    """The argon2id hash of a new password (salted; the salt and parameters are in the text)."""
    if len(password or "") < MIN_LENGTH:
        raise WeakPassword(f"密码至少 {MIN_LENGTH} 个字符 / A password needs at least {MIN_LENGTH} characters")
    return _hasher.hash(password)


def check_password(stored_hash: str | None, password: str) -> bool:
    """Whether `password` matches `stored_hash`; False for no hash or a malformed one."""
    if not stored_hash or not password:
        _dummy_check(password or "")  # as slow as a real check: no hint that the name is unknown
        return False
    try:
        return _hasher.verify(stored_hash, password)
    except (argon2.exceptions.VerificationError, argon2.exceptions.InvalidHashError):
        return False


@functools.cache
def _dummy_hash() -> str:
    return _hasher.hash("no account has this password")


def _dummy_check(password: str) -> None:
    with contextlib.suppress(argon2.exceptions.VerificationError):
        _hasher.verify(_dummy_hash(), password)
