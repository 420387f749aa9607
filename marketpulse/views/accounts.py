"""账号 Accounts and 审计 Audit (admins only): who may sign in, with which role and scope, and
what happened (sign-ins, failures, sign-outs, imports, rule edits, account changes, 周报 exports)."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from marketpulse import auth, i18n, metrics


def scope_names() -> dict[str, dict[str, str]]:
    """Per level (department, territory, cm) each code an account may be bound to, with its name."""
    dep = metrics.lookup("departments")
    ter = metrics.lookup("territories")
    cms = metrics.lookup("customer_managers")
    return {
        "department": dict(zip(dep["department_code"], dep["department_name"])),
        "territory": dict(zip(ter["territory_code"], ter["territory_name"])),
        "cm": dict(zip(cms["cm_code"], cms["cm_name"])),
    }


def account_names() -> list[str]:
    return list(auth.accounts()["user_name"])


def accounts_table(lang: str) -> pd.DataFrame:
    """Every account: name, display name, role, scope in words, e-mail, sign-in kinds, active, changed."""
    t = lambda key, **kw: i18n.t(key, lang, **kw)  # noqa: E731
    frame = auth.accounts()
    names = scope_names()

    def scope(row) -> str:
        for level, column in (("department", "scope_department"), ("territory", "scope_territory"), ("cm", "scope_cm")):
            code = row[column]
            if isinstance(code, str) and code:
                return f"{t(f'auth.level.{level}')} {names[level].get(code, code)} ({code})"
        return t("filter.whole_city")

    return pd.DataFrame(
        {
            t("auth.name"): frame["user_name"],
            t("accounts.display_name"): frame["display_name"],
            t("auth.role"): [t(f"role.{r}") for r in frame["role"]],
            t("auth.scope"): [scope(row) for _, row in frame.iterrows()],
            t("accounts.email"): frame["email"].fillna(""),
            t("accounts.has_password"): frame["has_password"],
            t("accounts.active"): frame["active"],
            t("accounts.changed_at"): pd.to_datetime(frame["changed_at"]).dt.strftime("%Y-%m-%d %H:%M"),
        }
    )


def scope_options(role: str) -> dict[str, str]:
    """The codes an account of `role` may be bound to, each with a label ({} for a city role)."""
    levels = {"territory": ("department", "territory"), "cm": ("cm",)}.get(role, ())
    names = scope_names()
    return {f"{level}:{code}": f"{name} ({code})" for level in levels for code, name in names[level].items()}


def add_account(
    name: str,
    role: str,
    scope_key: str | None,
    display_name: str,
    email: str,
    password: str,
    by: str,
) -> None:
    """Add an account from the page's form; `scope_key` is one of scope_options(role)."""
    level, _, code = (scope_key or "").partition(":")
    scope = {level: code} if code else {}
    auth.add_user(
        name.strip(),
        role,
        password or None,
        display_name=display_name.strip() or None,
        email=email.strip() or None,
        by=by,
        **scope,
    )


def change_account(name: str, action: str, password: str, by: str) -> None:
    """Disable, enable or give a new password to an account."""
    if action == "password":
        auth.set_password(name, password, by=by)
    else:
        auth.set_active(name, action == "enable", by=by)


def audit_table(lang: str, days: int = 30, kinds: list[str] | None = None) -> pd.DataFrame:
    """The audit log of the last `days` days, newest first, optionally only some kinds of event."""
    t = lambda key: i18n.t(key, lang)  # noqa: E731
    since = dt.datetime.now(dt.UTC).replace(tzinfo=None) - dt.timedelta(days=days)
    log = auth.events(since=since)
    if kinds:
        log = log[log["event"].isin(kinds)]
    return pd.DataFrame(
        {
            t("audit.at"): log["at"].dt.strftime("%Y-%m-%d %H:%M:%S"),
            t("audit.event"): [t(f"audit.event.{e}") for e in log["event"]],
            t("auth.name"): log["user_name"].fillna(""),
            t("audit.client"): log["client"].fillna(""),
            t("audit.detail"): log["detail"].fillna(""),
        }
    )
