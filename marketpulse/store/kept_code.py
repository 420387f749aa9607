"""Which code a lake's kept table (lake/kept.py) was derived by: its query's text and the Python
that evaluates it (the levels, the launch years, the bound tolerance), so that rows kept by
another release are evaluated again by a write and evaluated in place of reading by a page."""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

from marketpulse.store.queries import query_text

# the modules every kept table is evaluated through; a table's own module is lake/<table>.py
KEEPING = ("keep.py", "kept_basis.py")


@functools.cache
def kept_digest(table: str, query: str) -> str:
    """A digest of `query`'s text (refs expanded) and of the source of the lake modules that
    evaluate `table`: it changes with any of them, a comment included, so a release that changes
    how a kept table is evaluated never reads the rows an older one kept."""
    texts = [query_text(query)] + [path.read_text(encoding="utf-8") for path in sources(table)]
    return hashlib.sha256("\0".join(texts).encode()).hexdigest()[:20]


def sources(table: str) -> list[Path]:
    """The Python files that evaluate `table`."""
    code = Path(__file__).resolve().parent.parent / "lake"
    return [code / name for name in (*KEEPING, f"{table}.py")]
