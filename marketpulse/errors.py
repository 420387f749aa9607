"""The errors a user can act on, shared by every layer; messages are bilingual (zh / en).

Nothing here imports any other marketpulse module, so any layer may raise these.
"""

from __future__ import annotations


class UsageError(Exception):
    """Bad command-line usage (exit 2)."""


class StoreError(RuntimeError):
    """A store problem a user can act on."""


class StoreVersionError(StoreError):
    """The store was written by a newer MarketPulse than this one."""


class QueryError(StoreError):
    """A named query was asked for wrongly (unknown name, missing or extra parameters)."""


class ImportRefused(StoreError):
    """A whole file was refused; nothing from it reached the store."""


class RuleError(ValueError):
    """A rule file that cannot replace its table."""
