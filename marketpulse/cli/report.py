"""`report`: the 周报 from a shell, the same workbook or PDF the weekly review page offers."""

from __future__ import annotations

import datetime as dt

from marketpulse import auth, i18n, store, views
from marketpulse.cli.users import actor, as_user
from marketpulse.errors import UsageError
from marketpulse.report import FontMissing, write


def main(args) -> int:
    """`report --week YYYY-MM-DD --out FILE.xlsx|FILE.pdf`: the 周报 from a shell, a PDF when the name says so."""
    try:
        week = dt.date.fromisoformat(args.week) if args.week else views.freshness().latest_week
    except ValueError:
        raise UsageError(
            f"--week 应为日期 YYYY-MM-DD:{args.week!r} / --week expects a date YYYY-MM-DD, got {args.week!r}"
        ) from None
    if week is None:
        print(i18n.t("fresh.none", "zh") + " / " + i18n.t("fresh.none", "en"))
        return 1
    week = week - dt.timedelta(days=week.weekday())
    scope = store.Scope(department_code=args.department, territory_code=args.territory, cm_code=args.cm)
    scope = as_user(args, scope)  # --as-user NAME: within that account's scope
    try:
        (path,) = write(week, args.out, scope, args.lang)
    except FontMissing as exc:
        print(exc)
        return 1
    auth.record("report_export", args.as_user or actor(), f"{week} {path}")
    print(f"已写出周报 {path}(报告周 {week}) / Weekly report written to {path} (week of {week})")
    return 0
