"""Signing in and out: passwords checked with throttling, tokens issued, renewed and ended.

Failed sign-ins are counted per account and per client over `signin_window_minutes`; past
`signin_free_attempts` each further try waits `signin_delay_seconds`, doubled per failure
(at most 15 minutes), whatever the password. A session lapses after
`session_idle_minutes` without use and after `session_max_hours` in any case; signing
out, disabling the account or changing its password ends it at once. Every outcome goes
to the audit log. The limits are settings (the 数据 page's rule table `setting`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import time
from pathlib import Path

from marketpulse import store
from marketpulse.auth import journal, tokens
from marketpulse.auth.accounts import changed_at, get_user, stored_hash
from marketpulse.auth.passwords import check_password
from marketpulse.auth.roles import User

logger = logging.getLogger(__name__)

DEFAULTS = {
    "session_idle_minutes": 480.0,
    "session_max_hours": 24.0,
    "signin_free_attempts": 5.0,
    "signin_delay_seconds": 30.0,
    "signin_window_minutes": 15.0,
}
MAX_DELAY = 900.0
RENEW_AFTER = 60.0  # a token is renewed on use once it is this many seconds old


def limit(key: str, path: Path | str | None = None) -> float:
    """A sign-in or session limit from the store's settings, else its default."""
    try:
        value = store.setting(key, DEFAULTS[key], path=path)
    except store.StoreError:
        value = None
    return DEFAULTS[key] if value is None else value


@dataclasses.dataclass(frozen=True)
class Outcome:
    """What a sign-in attempt came to: the user and token, or why not (and how long to wait)."""

    user: User | None = None
    token: str | None = None
    reason: str = ""  # "" | "wrong" | "locked"
    wait_seconds: float = 0.0


def wait_seconds(user_name: str, client: str, path: Path | str | None = None, now: float | None = None) -> float:
    """How long `user_name` from `client` must wait before the next try (0: may try now)."""
    now = time.time() if now is None else now
    since = now - limit("signin_window_minutes", path) * 60
    free, delay = int(limit("signin_free_attempts", path)), limit("signin_delay_seconds", path)
    wait = 0.0
    for kind, key in (("account", user_name.lower()), ("client", client)):
        failed = journal.failures(kind, key, since, path)
        if len(failed) >= free:
            hold = min(delay * 2 ** (len(failed) - free), MAX_DELAY)
            wait = max(wait, failed[-1] + hold - now)
    return max(wait, 0.0)


def sign_in(
    user_name: str, password: str, client: str = "unknown", path: Path | str | None = None, now: float | None = None
) -> Outcome:
    """Check a name and password (unless throttled) and open a session for a match."""
    now = time.time() if now is None else now
    user_name = (user_name or "").strip()
    wait = wait_seconds(user_name, client, path, now)
    if wait > 0:
        journal.record("sign_in_failed", user_name, f"locked {wait:.0f}s", client, path)
        return Outcome(reason="locked", wait_seconds=wait)
    if not check_password(stored_hash(user_name, path), password):
        journal.note_failure("account", user_name.lower(), now, path)
        journal.note_failure("client", client, now, path)
        journal.record("sign_in_failed", user_name, "wrong name or password", client, path)
        logger.info("failed sign-in for %r from %s", user_name, client)
        return Outcome(reason="wrong", wait_seconds=wait_seconds(user_name, client, path, now))
    journal.clear_failures("account", user_name.lower(), path)
    journal.clear_failures("client", client, path)
    journal.forget_before(now - limit("session_max_hours", path) * 3600 - 86400, path)
    return Outcome(user=get_user(user_name, path), token=open_session(user_name, "password", client, path, now))


def open_session(
    user_name: str, how: str, client: str = "unknown", path: Path | str | None = None, now: float | None = None
) -> str:
    """A new session token for an account whose identity is already proven (`how`: by
    password, or by company sign-on), logged; it lapses like any other session."""
    now = time.time() if now is None else now
    token = tokens.issue(tokens.new_claims(user_name, limit("session_idle_minutes", path) * 60, now), path)
    journal.record("sign_in", user_name, how, client, path)
    return token


def resume(
    token: str | None, path: Path | str | None = None, now: float | None = None
) -> tuple[User | None, str | None]:
    """The user a token stands for, and the token to keep (renewed once it has aged);
    (None, None) for a token that is forged, lapsed, signed out, or whose account changed."""
    now = time.time() if now is None else now
    claims = tokens.read(token, path, now)
    if claims is None or now - claims.iat > limit("session_max_hours", path) * 3600:
        return None, None
    changed = changed_at(claims.user_name, path)
    if changed is None or changed.replace(tzinfo=dt.UTC).timestamp() > claims.iat:
        return None, None  # disabled, gone, or its password changed since
    if journal.session_ended(claims.sid, path):
        return None, None
    user = get_user(claims.user_name, path)
    idle = limit("session_idle_minutes", path) * 60
    if now - (claims.exp - idle) >= RENEW_AFTER:
        token = tokens.issue(dataclasses.replace(claims, exp=now + idle), path)
    return user, token


def sign_out(token: str | None, client: str = "unknown", path: Path | str | None = None) -> None:
    """End the session of `token` (it is refused from now on) and log it."""
    claims = tokens.read(token, path)
    if claims is None:
        return
    journal.end_session(claims.sid, time.time(), path)
    journal.record("sign_out", claims.user_name, "", client, path)
