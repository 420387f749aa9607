"""The demo city's accounts: one per role, with passwords everyone may know.

Only a demo store (one whose planted events are recorded in `demo_truth`) gets them;
`make run` adds them on first start and prints them, the sign-in page lists them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from marketpulse import store
from marketpulse.auth.accounts import accounts, add_user


@dataclass(frozen=True)
class DemoAccount:
    name: str
    role: str
    level: str  # "" | department | territory | cm: the scope the account is bound to
    display_name: str

    @property
    def password(self) -> str:
        return f"mp-demo-{self.name}"


DEMO_ACCOUNTS = (
    DemoAccount("admin", "admin", "", "系统管理员"),
    DemoAccount("center", "center", "", "营销中心"),
    DemoAccount("leader", "leader", "", "公司领导"),
    DemoAccount("department", "territory", "department", "市场部经理"),
    DemoAccount("territory", "territory", "territory", "片区经理"),
    DemoAccount("cm", "cm", "cm", "客户经理"),
)


def is_demo(path: Path | str | None = None) -> bool:
    """Whether the store is the simulated demo city."""
    try:
        return bool(store.run("auth/demo_store", path=path)["is_demo"].iloc[0])
    except store.StoreError:
        return False


def demo_codes(path: Path | str | None = None) -> dict[str, str]:
    """The 市场部, 片区 and customer manager the demo accounts are bound to: the first of
    each, nested (the 片区 lies in the 市场部, the manager works in the 片区)."""
    codes = store.run("auth/scope_codes", path=path)
    cms = codes[codes["level"] == "cm"].sort_values("code")
    if cms.empty:
        return {}
    first = cms.iloc[0]
    return {"department": first["department_code"], "territory": first["territory_code"], "cm": first["code"]}


def ensure_demo_accounts(path: Path | str | None = None) -> list[DemoAccount]:
    """Add whichever demo accounts a demo store lacks; the demo accounts (none if not a demo)."""
    if not is_demo(path):
        return []
    have = set(accounts(path)["user_name"])
    missing = [a for a in DEMO_ACCOUNTS if a.name not in have]
    if missing:
        codes = demo_codes(path)
        with store.writer(path) as con:  # one publish for all of them
            for a in missing:
                scope = {a.level: codes[a.level]} if a.level else {}
                add_user(
                    a.name, a.role, a.password, display_name=a.display_name, by="demo", path=path, con=con, **scope
                )
    return list(DEMO_ACCOUNTS)
