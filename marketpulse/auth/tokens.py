"""Session tokens: signed (HMAC-SHA256) and expiring, carried in a cookie, never a password.

A token says who signed in, when (`iat`), a random session id (`sid`, revoked on sign-out)
and until when it holds (`exp`, the idle deadline, moved on as the user works). The key is
random, made on first use and kept in a file beside the store (`<store>.secret`, mode 0600,
not in git) or given as $MARKETPULSE_SECRET, so every process serving one store shares it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

from marketpulse import store

VERSION = "v1"


@dataclass(frozen=True)
class Claims:
    """What a valid token says."""

    user_name: str
    sid: str
    iat: float  # when the user signed in (seconds since the epoch)
    exp: float  # when the token lapses unless renewed


def secret_path(path: Path | str | None = None) -> Path:
    path = Path(path or store.db_path())
    return path.with_name(path.name + ".secret")


def secret(path: Path | str | None = None) -> bytes:
    """The signing key: $MARKETPULSE_SECRET, else the file beside the store (made on first use)."""
    given = os.environ.get("MARKETPULSE_SECRET")
    if given:
        return given.encode()
    file = secret_path(path)
    try:
        return bytes.fromhex(file.read_text().strip())
    except FileNotFoundError:
        pass
    file.parent.mkdir(parents=True, exist_ok=True)
    try:  # exclusive create: two processes starting at once agree on one key
        fd = os.open(file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return bytes.fromhex(file.read_text().strip())
    key = secrets.token_bytes(32)
    with os.fdopen(fd, "w") as fh:
        fh.write(key.hex())
    return key


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _sign(body: str, key: bytes) -> str:
    return _b64(hmac.new(key, f"{VERSION}.{body}".encode(), hashlib.sha256).digest())


def issue(claims: Claims, path: Path | str | None = None) -> str:
    """The token for `claims`, signed with the store's key."""
    body = _b64(json.dumps({"u": claims.user_name, "s": claims.sid, "i": claims.iat, "e": claims.exp}).encode())
    return f"{VERSION}.{body}.{_sign(body, secret(path))}"


def new_claims(user_name: str, idle_seconds: float, now: float | None = None) -> Claims:
    now = time.time() if now is None else now
    return Claims(user_name, secrets.token_urlsafe(18), now, now + idle_seconds)


def read(token: str | None, path: Path | str | None = None, now: float | None = None) -> Claims | None:
    """The claims of a well-signed token that has not lapsed; None for anything else."""
    if not token or token.count(".") != 2:
        return None
    version, body, signature = token.split(".")
    if version != VERSION or not hmac.compare_digest(signature, _sign(body, secret(path))):
        return None
    try:
        raw = json.loads(_unb64(body))
        claims = Claims(str(raw["u"]), str(raw["s"]), float(raw["i"]), float(raw["e"]))
    except (ValueError, KeyError, TypeError):
        return None
    now = time.time() if now is None else now
    return claims if now < claims.exp else None
