"""`deliver`: send the week's 周报 and high alerts to every recipient (cron / systemd timer on Monday)."""

from __future__ import annotations

import argparse
import datetime as dt

from marketpulse import deliver, views
from marketpulse.cli.common import EXIT_OK, EXIT_REFUSED
from marketpulse.errors import UsageError

STATUS = {"sent": "已发送 sent", "failed": "失败 FAILED", "skipped": "已发送过 skipped", "dry_run": "演练 dry run"}


def add_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--week", help="报告周(周一,YYYY-MM-DD),默认数据最新周 / report week (Monday), default the latest")
    p.add_argument("--dry-run", action="store_true", help="只生成不发送 / build every message, send nothing")
    p.add_argument("--force", action="store_true", help="本周已发送的也重新发送 / send again what was sent")


def main(args) -> int:
    """`deliver --week W [--dry-run] [--force]`: exit 0 when nothing failed, 1 otherwise."""
    try:
        week = dt.date.fromisoformat(args.week) if args.week else views.freshness().latest_week
    except ValueError:
        raise UsageError(
            f"--week 应为日期 YYYY-MM-DD:{args.week!r} / --week expects a date YYYY-MM-DD, got {args.week!r}"
        ) from None
    if week is None:
        print("数据库中还没有数据 / The store holds no data yet")
        return EXIT_REFUSED
    outcomes = deliver.deliver(week, dry_run=args.dry_run, force=args.force)
    for o in outcomes:
        attempts = f" ×{o.attempts}" if o.attempts > 1 else ""
        print(f"{STATUS[o.status]}{attempts}\t{o.recipient_id}\t{o.name}\t{o.channel}\t{o.detail}")
    failed = sum(o.status == "failed" for o in outcomes)
    print(
        f"报告周 {week - dt.timedelta(days=week.weekday())}:{len(outcomes)} 项,{failed} 项失败 / "
        f"week of {week - dt.timedelta(days=week.weekday())}: {len(outcomes)} sends, {failed} failed"
    )
    return EXIT_REFUSED if failed else EXIT_OK
