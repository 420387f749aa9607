"""The supply page before any forecast: the marketing center can make them from the page, with
progress and an audit line; a territory manager is told who makes them, not a command to run."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from marketpulse import auth, i18n, store, views

ROOT = Path(__file__).resolve().parents[1]
PAGE = "app_pages/7_supply.py"


@pytest.fixture
def no_forecasts(demo_store, tmp_path, monkeypatch):
    path = tmp_path / "demo.duckdb"
    shutil.copyfile(demo_store, path)
    with store.writer(path) as con:  # the demo as before its first forecast refresh
        con.execute("delete from forecast_run")
    monkeypatch.setenv("MARKETPULSE_DB", str(path))
    return path


def _supply_page(signed_in, name: str) -> AppTest:
    at = signed_in(AppTest.from_file(str(ROOT / "app.py"), default_timeout=90), name).run()
    return at.switch_page(PAGE).run()


def test_the_center_makes_the_forecasts_from_the_page(no_forecasts, signed_in, monkeypatch):
    made = []
    monkeypatch.setattr(
        views, "make_forecasts", lambda progress: made.append(progress(3, 4)) or {"made_from_week": "w"}
    )
    at = _supply_page(signed_in, "center")
    assert not at.exception
    assert i18n.t("supply.none", "zh") in [i.value for i in at.info]
    at.button(key="supply_make").click().run()
    assert not at.exception and len(made) == 1
    assert auth.events(path=no_forecasts)["event"].iloc[0] == "forecast_refresh"


def test_a_territory_manager_is_told_who_makes_them(no_forecasts, signed_in):
    at = _supply_page(signed_in, "territory")
    assert not at.exception
    shown = [i.value for i in at.info]
    assert i18n.t("supply.none_ask", "zh") in shown and not any("python -m" in text for text in shown)
    assert not [b for b in at.button if b.key == "supply_make"]
