"""The pages on a lake that keeps alerts and new-spec uptake (MARKETPULSE_LAKE): the 周报 and the
brand page render for every role, and what they show is what they show when everything is
evaluated, under the city, a 市场部, a 片区 and a customer manager (one of each with retailers
redrawn across it)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest
from test_alert_week import kept_lake, served  # noqa: F401 - the exported lake and its use

from marketpulse import metrics, store, views
from marketpulse.metrics import kept as kept_rows
from marketpulse.metrics import market, uptake

ROOT = Path(__file__).resolve().parent.parent
LAST_WEEK = dt.date(2026, 11, 16)
SCOPES = [
    store.CITY,
    store.Scope(department_code="D01"),
    store.Scope(department_code="D02"),
    store.Scope(territory_code="T0101"),
    store.Scope(territory_code="T0201"),  # retailers were redrawn across its border
    store.Scope(cm_code="KH001"),  # its retailers were never another manager's
    store.Scope(cm_code="KH005"),  # the redraw moved retailers to and from it
]


def _kept_and_evaluated(monkeypatch, view):
    """view() reading what the lake keeps (asserted to be kept), then with everything evaluated."""
    metrics.api.forget_city_reads()
    kept = view()
    with monkeypatch.context() as m:
        m.setattr(uptake, "_kept_level", lambda *args: None)
        m.setattr(kept_rows, "kept_level", lambda *args: None)  # week sums, compliance, weights
        m.setattr(market, "_kept_kinds", lambda *args: ())
        metrics.api.forget_city_reads()
        evaluated = view()
    metrics.api.forget_city_reads()
    return kept, evaluated


def _texts(frame: pd.DataFrame) -> pd.DataFrame:
    """Text columns as objects: a Parquet read and a DuckDB evaluation type the same names apart."""
    return frame.astype({c: object for c in frame.columns if pd.api.types.is_string_dtype(frame[c])})


def _cards(kpis) -> list[tuple]:
    """Each card's fields, numbers to ten significant digits."""
    return [tuple(float(f"{v:.10g}") if isinstance(v, float) else v for v in dataclasses.astuple(k)) for k in kpis]


@pytest.mark.parametrize("scope", SCOPES)
def test_the_weekly_review_on_a_lake_is_the_evaluated_one(served, monkeypatch, scope):  # noqa: F811
    kept, evaluated = _kept_and_evaluated(monkeypatch, lambda: views.weekly_review(LAST_WEEK, {}, scope))
    assert _cards(kept.kpis) == _cards(evaluated.kpis)
    new_brand = next(k for k in kept.kpis if k.key == "kpi.new_brand")
    assert new_brand.value is not None
    pd.testing.assert_frame_equal(_texts(kept.alerts), _texts(evaluated.alerts))
    assert len(evaluated.alerts) > 0


@pytest.mark.parametrize("scope", SCOPES)
def test_the_brand_page_on_a_lake_is_the_evaluated_one(served, monkeypatch, scope):  # noqa: F811
    params = {"week_from": LAST_WEEK - dt.timedelta(weeks=12), "week_to": LAST_WEEK}
    spec = views.brands(params, scope, None, "zh").specs["spec_code"].iloc[0]  # the newest, as the page opens
    kept, evaluated = _kept_and_evaluated(monkeypatch, lambda: views.brands(params, scope, spec, "zh"))
    for name in ("specs", "city", "territories", "league"):
        got, want = getattr(kept, name), getattr(evaluated, name)
        assert want is not None and len(want) > 0, name
        pd.testing.assert_frame_equal(_texts(got), _texts(want), check_dtype=False, rtol=1e-9)
    # every new spec's progress on top of the page, with the 片区 新品滞后 holds back
    kept, evaluated = _kept_and_evaluated(monkeypatch, lambda: views.new_spec_progress(params, scope, "zh"))
    assert len(evaluated.table) > 0
    pd.testing.assert_frame_equal(_texts(kept.table), _texts(evaluated.table), check_dtype=False, rtol=1e-9)


@pytest.mark.parametrize("page", ["app_pages/1_weekly_review.py", "app_pages/4_brands.py"])
@pytest.mark.parametrize("role", ["admin", "department", "territory", "cm"])
def test_the_pages_reading_what_the_lake_keeps_render_for_every_role(served, signed_in, page, role):  # noqa: F811
    metrics.api.forget_city_reads()
    at = signed_in(AppTest.from_file(str(ROOT / "app.py"), default_timeout=90), role)
    at.run()
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.title
