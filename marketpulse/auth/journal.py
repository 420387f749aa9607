"""The access journal beside the store (`<store>.access.sqlite`): the audit log, failed
sign-ins (for throttling) and ended sessions.

It is a small SQLite file, not a table of the store: the store is replaced whole by each
writer (copy, change, rename), which is right for imports but far too heavy for every
sign-in, and a sign-in must never wait for an import. SQLite lets every process serving
the store (the dashboard, the CLI) append at once. It survives a store rebuild.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pandas as pd

from marketpulse import store

SCHEMA = """
pragma journal_mode = wal;
create table if not exists audit_event (
    at        text not null,   -- UTC, ISO 8601
    event     text not null,   -- one of EVENTS
    user_name text,
    client    text,
    detail    text
);
create index if not exists audit_event_at on audit_event (at);
create table if not exists signin_failure (
    kind text not null,        -- account | client
    key  text not null,
    at   real not null         -- seconds since the epoch
);
create index if not exists signin_failure_key on signin_failure (kind, key, at);
create table if not exists ended_session (
    sid text primary key,
    at  real not null
);
"""

EVENTS = (
    "sign_in",
    "sign_in_failed",
    "sign_out",
    "import",
    "rule_edit",
    "account_change",
    "report_export",
    "forecast_refresh",
)


_ready: set[Path] = set()  # journal files whose tables this process has made sure of


def journal_path(path: Path | str | None = None) -> Path:
    path = Path(path or store.db_path())
    return path.with_name(path.name + ".access.sqlite")


@contextlib.contextmanager
def _open(path: Path | str | None = None) -> Iterator[sqlite3.Connection]:
    file = journal_path(path)
    file.parent.mkdir(parents=True, exist_ok=True)
    fresh = file not in _ready or not file.exists()
    con = sqlite3.connect(file, timeout=10)
    try:
        if fresh:
            con.executescript(SCHEMA)
            _ready.add(file)
        with con:  # one transaction, committed on success
            yield con
    finally:
        con.close()


def record(
    event: str,
    user_name: str | None = None,
    detail: str = "",
    client: str | None = None,
    path: Path | str | None = None,
) -> None:
    """Append one event to the audit log."""
    if event not in EVENTS:
        raise ValueError(f"unknown audit event {event!r}; known: {', '.join(EVENTS)}")
    at = dt.datetime.now(dt.UTC).replace(tzinfo=None).isoformat(timespec="seconds")
    with _open(path) as con:
        con.execute(
            "insert into audit_event (at, event, user_name, client, detail) values (?, ?, ?, ?, ?)",
            (at, event, user_name, client, detail),
        )


def events(since: dt.datetime | None = None, limit: int = 5000, path: Path | str | None = None) -> pd.DataFrame:
    """The audit log, newest first: at, event, user_name, client, detail."""
    since_text = since.isoformat(timespec="seconds") if since else ""
    with _open(path) as con:
        rows = con.execute(
            "select at, event, user_name, client, detail from audit_event where at >= ? "
            "order by at desc, rowid desc limit ?",
            (since_text, limit),
        ).fetchall()
    frame = pd.DataFrame(rows, columns=["at", "event", "user_name", "client", "detail"])
    frame["at"] = pd.to_datetime(frame["at"])
    return frame


def note_failure(kind: str, key: str, at: float, path: Path | str | None = None) -> None:
    with _open(path) as con:
        con.execute("insert into signin_failure (kind, key, at) values (?, ?, ?)", (kind, key, at))


def failures(kind: str, key: str, since: float, path: Path | str | None = None) -> list[float]:
    """When `key` failed to sign in since `since`, oldest first."""
    with _open(path) as con:
        rows = con.execute(
            "select at from signin_failure where kind = ? and key = ? and at >= ? order by at", (kind, key, since)
        ).fetchall()
    return [r[0] for r in rows]


def clear_failures(kind: str, key: str, path: Path | str | None = None) -> None:
    with _open(path) as con:
        con.execute("delete from signin_failure where kind = ? and key = ?", (kind, key))


def end_session(sid: str, at: float, path: Path | str | None = None) -> None:
    """Mark a session ended (signed out): its token is refused from now on."""
    with _open(path) as con:
        con.execute("insert or ignore into ended_session (sid, at) values (?, ?)", (sid, at))


def session_ended(sid: str, path: Path | str | None = None) -> bool:
    with _open(path) as con:
        return con.execute("select 1 from ended_session where sid = ?", (sid,)).fetchone() is not None


def forget_before(at: float, path: Path | str | None = None) -> None:
    """Drop failures and ended sessions older than `at` (no token from then is still valid)."""
    with _open(path) as con:
        con.execute("delete from signin_failure where at < ?", (at,))
        con.execute("delete from ended_session where at < ?", (at,))
