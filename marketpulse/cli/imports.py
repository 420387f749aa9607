"""`import` and `quarantine`: files into the store (or the lake), and the rows held back."""

from __future__ import annotations

import functools
import os
import sys
from pathlib import Path

import pandas as pd
from tqdm import tqdm

from marketpulse import export, lake, store
from marketpulse.cli.common import EXIT_STORE_FAULT
from marketpulse.errors import ImportRefused, StoreError
from marketpulse.ingest import KIND_NAMES, import_file, quarantine_frame, quarantine_original, sniff_kind


def _order_files(files: list[str], kind: str | None) -> list[str]:
    if kind:
        return list(files)
    rank = {name: i for i, name in enumerate(KIND_NAMES)}
    return sorted(files, key=lambda f: rank.get(sniff_kind(f), len(rank)))


def main(args) -> int:
    """`marketpulse import FILE... [--kind KIND] [--lake DIR]`: exit 0 if every file was imported, 1 if any was
    refused, 3 on a store fault (full disk, read-only folder, damaged or newer store).

    With --lake (or $MARKETPULSE_LAKE) the files go into that lake, each file one publish of it."""
    refused = 0
    lake_dir = getattr(args, "lake", None) or os.environ.get("MARKETPULSE_LAKE")
    if lake_dir:
        importer = functools.partial(lake.import_into_lake, Path(lake_dir))
        on_wait = functools.partial(_print_lake_wait, lake_dir)
    else:
        importer, on_wait = import_file, _print_store_wait
    files = _order_files(args.files, args.kind)
    if files != list(args.files):
        print(
            "按依赖顺序导入(先资料后明细):"
            + ", ".join(files)
            + " / Importing reference files first: "
            + ", ".join(files),
            flush=True,
        )
    for path in files:
        bar = tqdm(
            total=100,
            desc=Path(path).name,
            unit="%",
            file=sys.stderr,
            disable=None,
            leave=False,
            bar_format="{desc}: {percentage:3.0f}%|{bar}| {postfix}",
        )

        def progress(fraction: float, message: str, bar=bar) -> None:
            bar.n = round(fraction * 100)
            bar.set_postfix_str(message, refresh=False)
            bar.refresh()

        try:
            summary = importer(path, args.kind, progress=progress, force=getattr(args, "force", False), on_wait=on_wait)
        except ImportRefused as exc:
            bar.close()
            print(f"已拒绝 / Refused: {exc}", file=sys.stderr, flush=True)
            refused += 1
            continue
        except StoreError as exc:  # full disk, read-only folder, damaged or newer store: stop here
            bar.close()
            print(f"数据库错误 / Store fault: {exc}", file=sys.stderr, flush=True)
            return EXIT_STORE_FAULT
        bar.close()
        print(summary.text("zh"))
        print(summary.text("en"), flush=True)
    if refused:
        print(f"{refused} 个文件被拒绝 / {refused} file(s) refused", file=sys.stderr)
    return 1 if refused else 0


def _print_store_wait(holder: str) -> None:
    print(store.wait_message(holder), flush=True)


def _print_lake_wait(lake_dir: str, holder: str) -> None:
    print(lake.wait_message(lake_dir, holder), flush=True)


def quarantine_main(args) -> int:
    """`marketpulse quarantine [--import-id N] [--kind K] [--format table|csv|json] [--lake DIR]`: list
    held-back rows; with --kind, in the columns the file had (CSV to fix in Excel and import again).

    With --lake (or $MARKETPULSE_LAKE) the lake's quarantine, where imports into it hold rows back."""
    lake_dir = getattr(args, "lake", None) or os.environ.get("MARKETPULSE_LAKE")
    db = lake.quarantine_db(lake_dir) if lake_dir else None
    if args.kind:
        frame = quarantine_original(args.kind, args.lang, db)
        if args.format == "csv":
            sys.stdout.buffer.write(export.csv_bytes(frame))
            sys.stdout.flush()
            return 0
    else:
        frame = quarantine_frame(args.import_id, db)
    if args.format == "csv":
        frame.to_csv(sys.stdout, index=False)
    elif args.format == "json":
        print(frame.to_json(orient="records", force_ascii=False))
    elif frame.empty:
        print("没有被拦下的行 / No rows held back.")
    else:
        shown = frame if args.kind else frame.drop(columns=["reason_en"]).rename(columns={"reason_zh": "reason"})
        with pd.option_context("display.max_colwidth", 80, "display.width", 200):
            print(shown.to_string(index=False))
        print(f"共 {len(frame):,} 行 / {len(frame):,} row(s)")
    return 0
