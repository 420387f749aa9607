"""`report`: the weekly review workbook (周报) from a shell, the same file the page offers."""

from __future__ import annotations

import datetime as dt

from marketpulse import i18n, store, views
from marketpulse.errors import UsageError
from marketpulse.report import write


def main(args) -> int:
    """`report --week YYYY-MM-DD --out FILE.xlsx`: the weekly workbook from a shell."""
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
    path = write(week, args.out, scope, args.lang)
    print(f"已写出周报 {path}(报告周 {week}) / Weekly report written to {path} (week of {week})")
    return 0
