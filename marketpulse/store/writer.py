"""Writing the store: a private copy changed under a lock file, then published atomically.

The live file is never written in place. A writer takes an exclusive lock file first, so
two imports queue instead of clobbering each other; it copies the live file, changes the
copy, checkpoints and closes it, and renames it over the live file. A process killed half
way leaves the live store exactly as it was (its stale copy is removed by the next writer).
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import duckdb

from marketpulse import i18n
from marketpulse.errors import StoreError
from marketpulse.store.paths import ATTACH_ALIAS, db_path
from marketpulse.store.schema import SCHEMA_VERSION, migrate, refuse_newer, stored_version

logger = logging.getLogger(__name__)


def wait_message(holder: str) -> str:
    """The bilingual notice that this writer waits for `holder` to finish."""
    return " / ".join(i18n.t("store.write_wait", lang, holder=holder) for lang in ("zh", "en"))


def _log_wait(holder: str) -> None:
    logger.warning(wait_message(holder))


@contextlib.contextmanager
def _writer_lock(path: Path, on_wait: Callable[[str], None] | None, timeout: float | None) -> Iterator[None]:
    lock_path = path.with_name(path.name + ".lock")
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path, "a+") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fh.seek(0)
            holder = fh.read().strip() or "unknown process"
            (on_wait or _log_wait)(holder)
            deadline = None if timeout is None else time.monotonic() + timeout
            while True:
                try:
                    fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if deadline is not None and time.monotonic() > deadline:
                        raise StoreError(
                            f"等待写锁超时({holder}仍在写入)。 / Timed out waiting for the "
                            f"write lock ({holder} is still writing)."
                        ) from None
                    time.sleep(0.2)
        fh.seek(0)
        fh.truncate()
        fh.write(f"pid {os.getpid()} since {time.strftime('%H:%M:%S')}")
        fh.flush()
        try:
            yield
        finally:
            fh.seek(0)
            fh.truncate()
            fcntl.flock(fh, fcntl.LOCK_UN)


@contextlib.contextmanager
def writer(
    path: Path | str | None = None,
    *,
    on_wait: Callable[[str], None] | None = None,
    timeout: float | None = None,
    fresh: bool = False,
) -> Iterator[duckdb.DuckDBPyConnection]:
    """Open a private read-write copy of the store; publish it atomically on success.

    Everything done on the yielded connection becomes visible together when the block
    ends without an exception, and not at all otherwise. `on_wait(holder)` is called once
    if another writer holds the lock (default: a log warning); `fresh=True` starts from an
    empty store instead of a copy (used by the demo builder).
    """
    path = Path(path or db_path())
    path.parent.mkdir(parents=True, exist_ok=True)
    with _writer_lock(path, on_wait, timeout):
        work = path.with_name(f".{path.name}.{os.getpid()}.building")
        for stale in path.parent.glob(f".{path.name}.*.building*"):
            stale.unlink(missing_ok=True)  # left by a killed writer; we hold the lock
        if path.exists() and not fresh:
            shutil.copyfile(path, work)
        con = duckdb.connect(str(work))
        try:
            migrate(con)
            yield con
            con.execute("checkpoint")
            con.close()
        except BaseException:
            con.close()
            work.unlink(missing_ok=True)
            Path(str(work) + ".wal").unlink(missing_ok=True)
            raise
        os.replace(work, path)


def ensure_current(path: Path | str | None = None) -> None:
    """Create or upgrade the store so readers find the current schema."""
    path = Path(path or db_path())
    if path.exists():
        with duckdb.connect(":memory:") as probe:
            probe.execute(f"attach $p as {ATTACH_ALIAS} (read_only)", {"p": str(path)})
            version = stored_version(probe, ATTACH_ALIAS)
        if version == SCHEMA_VERSION:
            return
        refuse_newer(version)
    with writer(path):
        pass
