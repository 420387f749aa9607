"""The delivery outbox beside the store (`<store>.outbox.jsonl`): each send noted the moment
it is done, so a run killed half way never sends the same 周报 twice.

Recording into the store means publishing a new copy of it, far too heavy for every
message, so sends are noted here first (one line each, flushed to disk) and moved into
the store's delivery log in one write at the end of the run, or at the start of the next
run when the last one was killed. A crash between that write and emptying the file can
at worst log a send twice; it never sends twice.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path

from marketpulse import store


def outbox_path(path: Path | str | None = None) -> Path:
    """The outbox file of the store at `path` (default: the live store)."""
    db = Path(path or store.db_path())
    return db.with_name(db.name + ".outbox.jsonl")


@contextlib.contextmanager
def _locked(path: Path | str | None) -> Iterator:
    box = outbox_path(path)
    box.parent.mkdir(parents=True, exist_ok=True)
    with open(box, "a+", encoding="utf-8") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield fh
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def note(week: dt.date, record: dict, path: Path | str | None = None) -> None:
    """Append one sent or failed outcome of `week`, on disk before this returns."""
    with _locked(path) as fh:
        fh.write(json.dumps({"week": week.isoformat(), **record}, ensure_ascii=False) + "\n")
        fh.flush()
        os.fsync(fh.fileno())


def pending(path: Path | str | None = None) -> list[dict]:
    """The outcomes noted and not yet in the store's delivery log (`week` as a date)."""
    box = outbox_path(path)
    if not box.exists():
        return []
    rows = []
    for line in box.read_text(encoding="utf-8").splitlines():
        with contextlib.suppress(ValueError):  # a line cut short by a kill is an unfinished note
            row = json.loads(line)
            rows.append({**row, "week": dt.date.fromisoformat(row["week"])})
    return rows


def flush(write: Callable[[list[dict]], None], path: Path | str | None = None) -> int:
    """Hand every pending outcome to `write` (one store write), then empty the outbox."""
    with _locked(path) as fh:
        rows = pending(path)
        if rows:
            write(rows)
        fh.seek(0)
        fh.truncate()
        fh.flush()
        os.fsync(fh.fileno())
    return len(rows)
