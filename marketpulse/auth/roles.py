"""Roles and what each may do: `allowed(user, action)` is the one permission check.

A role decides the actions; the account's scope (not the role) decides whose numbers the
user sees. Pages name the action they need (`shell.require`), the navigation hides pages
whose action the role lacks, and the CLI's account commands are for people with a shell.
"""

from __future__ import annotations

from dataclasses import dataclass

from marketpulse import store

ROLES = ("admin", "center", "leader", "territory", "cm")

# Actions: view (every page that shows numbers, and their downloads), import (uploads),
# rules (editing the business rules), approve (a supply plan), accounts, audit.
ACTIONS = ("view", "import", "rules", "approve", "accounts", "audit")
PERMISSIONS: dict[str, frozenset[str]] = {
    "admin": frozenset(ACTIONS),
    "center": frozenset({"view", "import", "rules", "approve"}),
    "leader": frozenset({"view"}),
    "territory": frozenset({"view"}),
    "cm": frozenset({"view"}),
}
# the page (url path) an account opens at the site's root: a customer manager on the road
# starts from this week's route; everyone else from the weekly review
HOME = {"cm": "route"}


def home(user: User | None) -> str:
    """The url path of the page where `user`'s work starts (the root address opens it)."""
    return HOME.get(user.role, "weekly") if user is not None else "weekly"


@dataclass(frozen=True)
class User:
    """A signed-in person: account name, role, the scope the account fixes, display name."""

    name: str
    role: str
    scope: store.Scope = store.CITY
    display_name: str = ""
    email: str | None = None

    @property
    def label(self) -> str:
        return (
            f"{self.display_name} ({self.name})" if self.display_name and self.display_name != self.name else self.name
        )


def allowed(user: User | None, action: str) -> bool:
    """Whether `user` may do `action`; nobody signed in may do nothing."""
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}; known: {', '.join(ACTIONS)}")
    return user is not None and action in PERMISSIONS.get(user.role, frozenset())


class OutsideScope(ValueError):
    """A scope asked for lies outside the account's."""


def narrow(ceiling: store.Scope, wanted: store.Scope = store.CITY, *, strict: bool = True) -> store.Scope:
    """`wanted` within `ceiling`: the ceiling's codes always hold, the wanted ones are added.

    A wanted code that contradicts the ceiling's at the same level raises OutsideScope
    (strict, for the CLI) or is dropped (for the sidebar, where the URL may say anything).
    Codes at different levels that do not nest (a 片区 outside the ceiling's 市场部) give
    a scope that holds no rows, never one wider than the ceiling.
    """
    fields = ("department_code", "territory_code", "cm_code")
    out = {}
    for name in fields:
        have, want = getattr(ceiling, name), getattr(wanted, name)
        if have and want and have != want:
            if strict:
                raise OutsideScope(f"{want} lies outside the account's scope ({have})")
            want = None
        out[name] = have or want
    return store.Scope(**out)
