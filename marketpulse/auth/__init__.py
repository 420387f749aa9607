"""Who may see what: accounts (argon2 passwords), signed expiring session tokens, roles and
their permissions, sign-in throttling and the audit log. Imports only errors, numbers, i18n and store.

A `User` carries the scope its account fixes; pages, the 周报 and the CLI's `--as-user`
narrow every query to it with `narrow()`. Accounts live in the store (`account` table);
the audit log, failed sign-ins and ended sessions in a small journal file beside it.
"""

from marketpulse.auth.accounts import (
    AccountError,
    accounts,
    add_user,
    get_user,
    set_active,
    set_password,
    user_by_email,
)
from marketpulse.auth.demo import DEMO_ACCOUNTS, DemoAccount, ensure_demo_accounts, is_demo
from marketpulse.auth.journal import EVENTS, events, journal_path, record
from marketpulse.auth.passwords import MIN_LENGTH, WeakPassword, check_password, hash_password
from marketpulse.auth.roles import ACTIONS, PERMISSIONS, ROLES, OutsideScope, User, allowed, home, narrow
from marketpulse.auth.sessions import (
    DEFAULTS,
    Outcome,
    limit,
    open_session,
    resume,
    sign_in,
    sign_out,
    wait_seconds,
)
from marketpulse.auth.tokens import Claims, secret_path

__all__ = [
    "ACTIONS",
    "DEFAULTS",
    "DEMO_ACCOUNTS",
    "EVENTS",
    "MIN_LENGTH",
    "PERMISSIONS",
    "ROLES",
    "AccountError",
    "Claims",
    "DemoAccount",
    "Outcome",
    "OutsideScope",
    "User",
    "WeakPassword",
    "accounts",
    "add_user",
    "allowed",
    "check_password",
    "ensure_demo_accounts",
    "events",
    "get_user",
    "hash_password",
    "home",
    "is_demo",
    "journal_path",
    "limit",
    "narrow",
    "open_session",
    "record",
    "resume",
    "secret_path",
    "set_active",
    "set_password",
    "sign_in",
    "sign_out",
    "user_by_email",
    "wait_seconds",
]
