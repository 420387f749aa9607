"""A kept table's code digest (store.kept_digest) covers the query's text with its refs and the
lake modules that evaluate it (lake/keep.py, lake/kept_basis.py, lake/<table>.py), so a release
changing either never reads rows an older one kept (their use is in test_compliance_week.py
and the like). The binding and file handling beneath them (store/queries.py, lake/files.py)
are not in it: a change there that changed rows would need a change to one of these."""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest

from marketpulse.lake import keep, kept, kept_basis
from marketpulse.store import kept_code, queries

DIGEST = kept_code.kept_digest.__wrapped__  # uncached: each case changes what it reads


@pytest.mark.parametrize("basis, keeper", list(zip(kept_basis.KEPT, kept.KEEPERS, strict=True)))
def test_the_digest_reads_the_module_that_evaluates_the_table(basis, keeper):
    read = {path.resolve() for path in kept_code.sources(basis.table)}
    assert Path(inspect.getsourcefile(keeper)).resolve() in read
    assert {Path(keep.__file__).resolve(), Path(kept_basis.__file__).resolve()} <= read


@pytest.mark.parametrize("basis", kept_basis.KEPT, ids=lambda b: b.table)
def test_a_change_to_any_file_it_reads_changes_the_digest(basis, monkeypatch):
    before = DIGEST(basis.table, basis.query)
    assert DIGEST(basis.table, basis.query) == before  # the same code, the same digest
    real_read = Path.read_text
    for changed in kept_code.sources(basis.table):
        with monkeypatch.context() as m:
            m.setattr(Path, "read_text", lambda p, *a, c=changed, **k: real_read(p, *a, **k) + ("#" if p == c else ""))
            assert DIGEST(basis.table, basis.query) != before, changed.name
    with monkeypatch.context() as m:
        m.setattr(kept_code, "query_text", lambda name: queries.query_text(name) + "\n-- changed")
        assert DIGEST(basis.table, basis.query) != before
