"""The center's 周报 is computed ahead of its first reader: the background preparation loads
exactly the view the page asks for when nothing is chosen (else it would warm a cache entry
nobody reads), once per store version."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from marketpulse import store, views
from marketpulse.ui import prepared, shell

shell_module = importlib.import_module("marketpulse.ui.shell")
ROOT = Path(__file__).resolve().parent.parent


def test_the_prepared_weekly_review_is_the_one_the_page_reads(demo_store, monkeypatch, signed_in):
    monkeypatch.setenv("MARKETPULSE_DB", str(demo_store))
    asked = []
    cached = shell_module._cached

    def recording(module, name, version, args, kwargs):
        asked.append((module, name, version, args, kwargs))
        return cached(module, name, version, args, kwargs)

    monkeypatch.setattr(shell_module, "_cached", recording)
    at = signed_in(AppTest.from_file(str(ROOT / "app.py"), default_timeout=120))
    at.run()  # the default page: the weekly review, nothing chosen, as the center opens it
    assert not at.exception
    page = [a for a in asked if a[1] == "weekly_review"]
    assert len(page) == 1
    asked.clear()
    loaded = prepared.prepare(shell.load, shell.default_params)
    ahead = [a for a in asked if a[1] == "weekly_review"]
    assert page[0] in ahead  # the same module, function, store version and arguments
    assert [(a[3][2], a[3][3]) for a in ahead] == [(store.CITY, "zh")]
    assert (views.reference, ()) in loaded
    # and the pages the review goes on to, each as it opens with nothing chosen
    for path, name in (
        ("app_pages/2_inventory.py", "inventory"),
        ("app_pages/3_prices.py", "prices"),
        ("app_pages/4_brands.py", "brands"),
    ):
        asked.clear()
        at.switch_page(path).run()
        assert not at.exception
        opened = [a for a in asked if a[1] == name]
        assert len(opened) == 1 and opened[0] in ahead_of(name), name


def ahead_of(name: str) -> list:
    """What prepare asks of the view `name`, in the cache's terms (module, name, version, args, kwargs)."""
    asked = []
    cached = shell_module._cached
    shell_module._cached = lambda *a: asked.append(a) or cached(*a)
    try:
        prepared.prepare(shell.load, shell.default_params)
    finally:
        shell_module._cached = cached
    return [a for a in asked if a[1] == name]


def test_an_empty_store_prepares_the_filter_lists_alone(db):
    loads = []
    prepared.prepare(lambda view, *args: loads.append(view.__name__) or views.reference(), shell.default_params)
    assert loads == ["reference"]


class Idle:
    def start(self):
        pass


def test_the_thread_starts_once_per_process_and_not_when_switched_off(monkeypatch):
    started = []
    monkeypatch.setattr(prepared, "_started", False)
    monkeypatch.setattr(prepared.threading, "Thread", lambda **kw: started.append(kw) or Idle())
    monkeypatch.setenv("MARKETPULSE_PREPARE", "0")
    prepared.watch(shell.load, shell.default_params)
    assert started == []
    monkeypatch.setenv("MARKETPULSE_PREPARE", "1")
    prepared.watch(shell.load, shell.default_params)
    prepared.watch(shell.load, shell.default_params)
    assert len(started) == 1 and started[0]["daemon"] and started[0]["name"] == prepared.THREAD_NAME


class Stop(BaseException):
    """Ends the watching loop in a test (the loop itself outlives any Exception)."""


def test_each_new_store_version_is_prepared_once(monkeypatch):
    looks = iter(["v1", "v1", "v2", "missing", "v2"])
    done = []

    def version():
        try:
            return next(looks)
        except StopIteration:
            raise Stop from None

    monkeypatch.setattr(prepared.store, "store_version", version)
    monkeypatch.setattr(prepared, "prepare", lambda load, params: done.append(1))
    monkeypatch.setattr(prepared.time, "sleep", lambda seconds: None)
    with pytest.raises(Stop):
        prepared._loop(None, None)
    assert len(done) == 2  # v1 once, v2 once; a store being replaced (missing) is not prepared
