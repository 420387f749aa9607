"""Writing the store: a private copy changed under a lock file, then published atomically.

The live file is never written in place. A writer takes an exclusive lock file first, so
two imports queue instead of clobbering each other; it copies the live file, changes the
copy, checkpoints and closes it, and renames it over the live file. A process killed half
way leaves the live store exactly as it was (its stale copy is removed by the next writer).
"""

from __future__ import annotations

import contextlib
import errno
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


# what DuckDB says when a file it reads is damaged or cut short
DAMAGE_WORDS = ("attempted to read", "Could not read", "orrupt", "checksum", "not a valid DuckDB", "truncated")


def _both(key: str, **values) -> str:
    return " / ".join(i18n.t(key, lang, **values) for lang in ("zh", "en"))


def fault(exc: BaseException, path: Path) -> StoreError:
    """A store error a user can act on for an OS or DuckDB failure while writing `path`."""
    text = str(exc)
    number = getattr(exc, "errno", None)
    if number in (errno.ENOSPC, errno.EFBIG, errno.EDQUOT) or any(
        word in text for word in ("No space left", "File too large", "Disk quota")
    ):
        return StoreError(_both("store.disk_full", path=path))
    if number in (errno.EACCES, errno.EPERM, errno.EROFS) or "Permission denied" in text or "Read-only" in text:
        return StoreError(_both("store.read_only", path=path))
    if any(word in text for word in DAMAGE_WORDS):
        return StoreError(_both("store.corrupt", path=path, detail=_first_line(exc)))
    return StoreError(_both("store.io_error", path=path, detail=_first_line(exc)))


@contextlib.contextmanager
def _writer_lock(
    path: Path,
    on_wait: Callable[[str], None] | None,
    waiting: Callable[[float], None] | None,
    timeout: float | None,
) -> Iterator[None]:
    lock_path = path.with_name(path.name + ".lock")
    try:
        lock_path.parent.mkdir(parents=True, exist_ok=True)
        fh = open(lock_path, "a+")
    except OSError as exc:
        raise fault(exc, path) from None
    with fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fh.seek(0)
            holder = fh.read().strip() or "unknown process"
            (on_wait or _log_wait)(holder)
            started = time.monotonic()
            while True:
                try:
                    fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    waited = time.monotonic() - started
                    if timeout is not None and waited > timeout:
                        raise StoreError(_both("store.wait_timeout", holder=holder)) from None
                    if waiting is not None:
                        waiting(waited)  # may raise: the caller gives up waiting
                    time.sleep(0.2)
        try:
            fh.seek(0)
            fh.truncate()
            fh.write(f"pid {os.getpid()} since {time.strftime('%H:%M:%S')}")
            fh.flush()
        except OSError:
            pass  # the note of who holds the lock is a courtesy; a full disk must not stop here
        try:
            yield
        finally:
            with contextlib.suppress(OSError):
                fh.seek(0)
                fh.truncate()
            fcntl.flock(fh, fcntl.LOCK_UN)


def _remove(work: Path) -> None:
    """The private copy, its write-ahead log and DuckDB's spill folder."""
    for debris in (work, Path(str(work) + ".wal")):
        debris.unlink(missing_ok=True)
    shutil.rmtree(str(work) + ".tmp", ignore_errors=True)


def _open(work: Path, path: Path) -> duckdb.DuckDBPyConnection:
    """Connect to the private copy; a copy that DuckDB cannot open means the live file is damaged."""
    try:
        return duckdb.connect(str(work))
    except duckdb.IOException as exc:
        if any(w in str(exc) for w in ("No space left", "File too large", "Permission denied", "Read-only")):
            raise fault(exc, path) from None
        raise StoreError(_both("store.corrupt", path=path, detail=_first_line(exc))) from None
    except duckdb.Error as exc:
        raise StoreError(_both("store.corrupt", path=path, detail=_first_line(exc))) from None


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return (text.splitlines()[0] if text else type(exc).__name__)[:200]


@contextlib.contextmanager
def writer(
    path: Path | str | None = None,
    *,
    on_wait: Callable[[str], None] | None = None,
    waiting: Callable[[float], None] | None = None,
    timeout: float | None = None,
    fresh: bool = False,
) -> Iterator[duckdb.DuckDBPyConnection]:
    """Open a private read-write copy of the store; publish it atomically on success.

    Everything done on the yielded connection becomes visible together when the block
    ends without an exception, and not at all otherwise; the copy (and its `.wal`) is
    removed whatever happens. `on_wait(holder)` is called once if another writer holds
    the lock (default: a log warning), `waiting(seconds)` every 0.2 s while it waits (it
    may raise to give up); `fresh=True` starts from an empty store instead of a copy (used
    by the demo builder). A full disk, a read-only folder or a damaged store raise
    StoreError with a bilingual message, and the live store stays as it was.
    """
    path = Path(path or db_path())
    with _writer_lock(path, on_wait, waiting, timeout):
        work = path.with_name(f".{path.name}.{os.getpid()}.building")
        for stale in path.parent.glob(f".{path.name}.*.building*"):
            stale.unlink(missing_ok=True)  # left by a killed writer; we hold the lock
        con = None
        try:
            if path.exists() and not fresh:
                shutil.copyfile(path, work)
            con = _open(work, path)
            try:
                migrate(con)
            except StoreError:
                raise
            except duckdb.IOException as exc:
                raise fault(exc, path) from None
            except duckdb.Error as exc:
                raise StoreError(_both("store.corrupt", path=path, detail=_first_line(exc))) from None
            yield con
            con.execute("checkpoint")
            con.close()
            con = None
            os.replace(work, path)
        except (OSError, duckdb.IOException) as exc:
            raise fault(exc, path) from None
        finally:
            if con is not None:
                with contextlib.suppress(Exception):
                    con.close()
            _remove(work)


def ensure_current(path: Path | str | None = None) -> None:
    """Create or upgrade the store so readers find the current schema."""
    path = Path(path or db_path())
    if path.exists():
        with duckdb.connect(":memory:") as probe:
            try:
                probe.execute(f"attach $p as {ATTACH_ALIAS} (read_only)", {"p": str(path)})
                version = stored_version(probe, ATTACH_ALIAS)
            except duckdb.Error as exc:
                raise StoreError(_both("store.corrupt", path=path, detail=_first_line(exc))) from None
        if version == SCHEMA_VERSION:
            return
        refuse_newer(version)
    with writer(path):
        pass
