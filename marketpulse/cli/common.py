"""What every command shares: exit codes, --param parsing and the scope arguments."""

from __future__ import annotations

import argparse

from marketpulse import store
from marketpulse.errors import UsageError

EXIT_OK, EXIT_REFUSED, EXIT_USAGE, EXIT_STORE_FAULT = 0, 1, 2, 3


def parse_params(pairs: list[str]) -> dict:
    params = {}
    for pair in pairs or []:
        if "=" not in pair:
            raise UsageError(f"参数应写成 key=value:{pair!r} / --param expects key=value, got {pair!r}")
        key, value = pair.split("=", 1)
        params[key.strip()] = None if value.strip().lower() in ("", "null", "none") else value.strip()
    return params


def scope(args) -> store.Scope:
    return store.Scope(
        department_code=getattr(args, "department", None),
        territory_code=getattr(args, "territory", None),
        cm_code=getattr(args, "cm", None),
    )


def add_scope_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--department", help="只看一个市场部 / restrict to one department code")
    p.add_argument("--territory", help="只看一个片区 / restrict to one territory code")
    p.add_argument("--cm", help="只看一个客户经理的零售户 / restrict to one customer manager's retailers")
