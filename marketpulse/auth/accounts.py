"""Accounts in the store: add, list, disable or enable, change a password, look one up.

Every change goes through the store's writer (a copy published atomically), so it waits
for a running import instead of racing it; reads go through the reader like any query.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import duckdb
import pandas as pd

from marketpulse import store
from marketpulse.auth import journal
from marketpulse.auth.passwords import hash_password
from marketpulse.auth.roles import ROLES, User

NAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}")


class AccountError(ValueError):
    """An account change that cannot be made (unknown name, bad role or scope code)."""


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def accounts(path: Path | str | None = None) -> pd.DataFrame:
    """Every account, without password hashes."""
    return store.run("auth/accounts", {"user_name": None, "email": None}, path=path)


def _user(row) -> User:
    scope = store.Scope(
        department_code=row["scope_department"] or None,
        territory_code=row["scope_territory"] or None,
        cm_code=row["scope_cm"] or None,
    )
    return User(row["user_name"], row["role"], scope, row["display_name"], row["email"] or None)


def _one(params: dict, path) -> pd.Series | None:
    found = store.run("auth/accounts", {"user_name": None, "email": None, **params}, path=path)
    found = found[found["active"]]
    return found.iloc[0] if len(found) else None


def get_user(name: str, path: Path | str | None = None) -> User | None:
    """The active account `name` as a User; None if there is none or it is disabled."""
    row = _one({"user_name": name}, path)
    return None if row is None else _user(row)


def user_by_email(email: str, path: Path | str | None = None) -> User | None:
    """The active account with this e-mail (company sign-on); None if none."""
    row = _one({"email": (email or "").strip().lower()}, path) if email else None
    return None if row is None else _user(row)


def changed_at(name: str, path: Path | str | None = None) -> dt.datetime | None:
    """When the account last changed in a way that ends its sessions; None if inactive or unknown."""
    row = _one({"user_name": name}, path)
    return None if row is None else pd.Timestamp(row["changed_at"]).to_pydatetime()


def stored_hash(name: str, path: Path | str | None = None) -> str | None:
    frame = store.run("auth/password_hash", {"user_name": name}, path=path)
    return frame["password_hash"].iloc[0] if len(frame) else None


def _check_scope(role: str, department: str | None, territory: str | None, cm: str | None, path) -> None:
    if role not in ROLES:
        raise AccountError(
            f"未知角色 {role!r};可用:{', '.join(ROLES)} / Unknown role {role!r}; one of {', '.join(ROLES)}"
        )
    given = {k: v for k, v in (("department", department), ("territory", territory), ("cm", cm)) if v}
    if role == "territory" and (len(given) != 1 or "cm" in given):
        raise AccountError(
            "territory 账号需且只需 --department 或 --territory 之一 / "
            "a territory account needs exactly one of --department or --territory"
        )
    if role == "cm" and set(given) != {"cm"}:
        raise AccountError("cm 账号需且只需 --cm / a cm account needs --cm and nothing else")
    if role not in ("territory", "cm") and given:
        raise AccountError(f"{role} 账号看全市,不带范围 / a {role} account sees the whole city: give no scope")
    codes = store.run("auth/scope_codes", path=path)
    for level, code in given.items():
        if not ((codes["level"] == level) & (codes["code"] == code)).any():
            raise AccountError(f"没有编码为 {code} 的{level} / No {level} with code {code}")


def add_user(
    name: str,
    role: str,
    password: str | None = None,
    *,
    display_name: str | None = None,
    department: str | None = None,
    territory: str | None = None,
    cm: str | None = None,
    email: str | None = None,
    by: str = "system",
    path: Path | str | None = None,
    con: duckdb.DuckDBPyConnection | None = None,
) -> User | None:
    """Add an account, logged as done `by` someone; `password` None makes a company
    sign-on-only account (needs `email`). On `con` (a writer's) when given, else in a writer of its own."""
    if not NAME_RE.fullmatch(name or ""):
        raise AccountError(
            f"账号名只能用字母、数字和 _.@-:{name!r} / An account name takes letters, digits and _.@- only: {name!r}"
        )
    _check_scope(role, department, territory, cm, path)
    email = (email or "").strip().lower() or None
    if password is None and not email:
        raise AccountError("没有密码的账号需要邮箱(统一登录)/ an account without a password needs an e-mail (sign-on)")
    existing = store.run("auth/accounts", {"user_name": None, "email": None}, path=path)
    if name in set(existing["user_name"]):
        raise AccountError(f"账号 {name} 已存在 / Account {name} exists already")
    if email and email in set(existing["email"].dropna()):
        raise AccountError(f"邮箱 {email} 已被占用 / E-mail {email} belongs to another account")
    params = {
        "user_name": name,
        "display_name": display_name or name,
        "role": role,
        "scope_department": department,
        "scope_territory": territory,
        "scope_cm": cm,
        "email": email,
        "password_hash": hash_password(password) if password is not None else None,
        "at": _now(),
    }
    if con is not None:
        store.execute_file(con, "auth/account_add.sql", params)
    else:
        with store.writer(path) as own:
            store.execute_file(own, "auth/account_add.sql", params)
    scope = department or territory or cm or "city"
    journal.record("account_change", by, f"add {name} role={role} scope={scope}", path=path)
    return None if con is not None else get_user(name, path)


def _require(name: str, path) -> None:
    if name not in set(accounts(path)["user_name"]):
        raise AccountError(f"没有账号 {name} / No account {name}")


def set_active(name: str, active: bool, by: str = "system", path: Path | str | None = None) -> None:
    """Disable (its sessions end at once) or enable an account."""
    _require(name, path)
    with store.writer(path) as con:
        store.execute_file(con, "auth/account_active.sql", {"user_name": name, "active": active, "at": _now()})
    journal.record("account_change", by, f"{'enable' if active else 'disable'} {name}", path=path)


def set_password(name: str, password: str, by: str = "system", path: Path | str | None = None) -> None:
    """Give an account a new password; its open sessions end."""
    _require(name, path)
    digest = hash_password(password)
    with store.writer(path) as con:
        store.execute_file(con, "auth/account_password.sql", {"user_name": name, "password_hash": digest, "at": _now()})
    journal.record("account_change", by, f"password {name}", path=path)
