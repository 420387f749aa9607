"""货源建议 under every scope: a territory manager opens the page and sees their 市场部's
forecast (forecasts are made per spec × 市场部 and for the city), never an error."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from marketpulse import forecast, i18n, store, supply, views
from marketpulse.simulate import plan_eval

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def forecasted(demo_store, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("supply") / "store.duckdb"
    shutil.copyfile(demo_store, path)
    subprocess.run(
        [sys.executable, "-m", "marketpulse", "forecast", "--origins", "2", "--workers", "1"],
        cwd=ROOT,
        env={**os.environ, "MARKETPULSE_DB": str(path)},
        check=True,
        capture_output=True,
    )
    return path


def scopes(path: Path) -> dict[str, store.Scope]:
    ter = store.reader(path).sql("select territory_code, department_code from territory order by 1").iloc[0]
    cm = store.reader(path).sql(
        "select cm_code from customer_manager where territory_code = $t", {"t": ter.territory_code}
    )
    return {
        "department": store.Scope(department_code=ter.department_code),
        "territory": store.Scope(territory_code=ter.territory_code),
        "cm": store.Scope(cm_code=cm["cm_code"].iloc[0]),
    }


@pytest.mark.parametrize("which", ["department", "territory", "cm"])
def test_a_scope_charts_its_own_departments_forecast(forecasted, monkeypatch, which):
    monkeypatch.setenv("MARKETPULSE_DB", str(forecasted))
    scope = scopes(forecasted)[which]
    department = store.reader(forecasted).sql("select department_code from territory", scope=scope)
    data = views.supply_page(scope, None, "zh")
    assert data.level == "department" and data.spec is not None
    want = forecast.stored_forecasts(data.spec, department["department_code"].iloc[0], path=forecasted)
    want = want[want["level"] == "department"].sort_values("ds")
    assert list(data.forecast.sort_values("ds")["yhat"]) == pytest.approx(list(want["yhat"]))
    assert data.level_name and len(data.history) > 0


def test_the_city_still_charts_the_city_series(forecasted, monkeypatch):
    monkeypatch.setenv("MARKETPULSE_DB", str(forecasted))
    data = views.supply_page(store.CITY, None, "zh")
    assert data.level == "city" and data.level_name == ""
    city = forecast.stored_forecasts(data.spec, path=forecasted)
    assert len(data.forecast) == len(city[city["level"] == "city"])


@pytest.mark.parametrize("which", ["department", "territory", "cm"])
def test_the_page_opens_under_every_scope(forecasted, monkeypatch, which, signed_in):
    monkeypatch.setenv("MARKETPULSE_DB", str(forecasted))
    scope = scopes(forecasted)[which]
    key, code = {
        "department": ("dep", scope.department_code),
        "territory": ("ter", scope.territory_code),
        "cm": ("cm", scope.cm_code),
    }[which]
    if which == "cm":  # the manager's picker only lists the managers of the chosen 片区
        ter = store.reader(forecasted).sql(
            "select territory_code from customer_manager where cm_code = $c", {"c": code}
        )
        state = {"ter": ter["territory_code"].iloc[0], "cm": code}
    else:
        state = {key: code}
    at = signed_in(AppTest.from_file(str(ROOT / "app.py"), default_timeout=120))
    for k, v in state.items():
        at.session_state[k] = v
    at.run()
    at.switch_page("app_pages/7_supply.py").run()
    assert not at.exception, [e.value for e in at.exception]
    charts = at.get("plotly_chart")
    assert charts, "the forecast chart is drawn"
    titles = [json.loads(c.proto.spec)["layout"]["title"]["text"] for c in charts]
    data = views.supply_page(scope, None, "zh")
    assert any(data.level_name in t and "预测按市场部编制" in t for t in titles), titles


@pytest.mark.parametrize("which", ["territory", "cm"])
def test_a_territory_sees_its_departments_plan_as_a_whole(forecasted, monkeypatch, which):
    """The plan is per spec × 市场部: a 片区 or a manager sees their 市场部's plan, whose stock and
    cover are the 市场部's too, never the 市场部's forecast against one 片区's stock."""
    monkeypatch.setenv("MARKETPULSE_DB", str(forecasted))
    scope = scopes(forecasted)[which]
    department = store.reader(forecasted).sql("select department_code from territory", scope=scope)
    whole = supply.recommendations(store.Scope(department_code=department["department_code"].iloc[0]))
    shown = views.supply_page(scope, None, "zh").raw
    assert list(shown["recommended_qty"]) == pytest.approx(list(whole["recommended_qty"]))
    assert list(shown["current_stock"]) == pytest.approx(list(whole["current_stock"]))


# ── next week's plan on the page ─────────────────────────────────────────────


def open_supply(path: Path, monkeypatch, signed_in, account: str = "admin", **state) -> AppTest:
    monkeypatch.setenv("MARKETPULSE_DB", str(path))
    at = signed_in(AppTest.from_file(str(ROOT / "app.py"), default_timeout=180), account)
    for k, v in state.items():
        at.session_state[k] = v
    at.run()
    at.switch_page("app_pages/7_supply.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("which", ["city", "department", "territory", "cm"])
def test_the_plan_shows_under_every_scope_and_language(forecasted, monkeypatch, signed_in, which, lang):
    state = {"lang": lang}
    if which != "city":
        scope = scopes(forecasted)[which]
        if which == "cm":
            ter = store.reader(forecasted).sql(
                "select territory_code from customer_manager where cm_code = $c", {"c": scope.cm_code}
            )
            state.update({"ter": ter["territory_code"].iloc[0], "cm": scope.cm_code})
        else:
            state[{"department": "dep", "territory": "ter"}[which]] = scope.department_code or scope.territory_code
    at = open_supply(forecasted, monkeypatch, signed_in, **state)
    assert any(s.value == i18n.t("plan.heading", lang) for s in at.subheader)
    captions = " ".join(c.value for c in at.caption)
    assert i18n.t("plan.jargon.mase", lang) in captions
    share = "占全市" if lang == "zh" else "of the city"
    assert (share in captions) == (which != "city")  # a scope is set against the city
    assert [s.value for s in at.success] == [i18n.t("plan.ok", lang)]


def test_the_plan_is_approved_by_the_signed_in_user(forecasted, monkeypatch, signed_in, tmp_path):
    path = tmp_path / "store.duckdb"
    shutil.copyfile(forecasted, path)
    at = open_supply(path, monkeypatch, signed_in)
    at.button(key="plan_approve").click().run()
    assert not at.exception, [e.value for e in at.exception]
    kept = supply.approved_plans(path=path)
    assert len(kept) == 1 and kept["approved_by"].iloc[0] == "admin" and kept["edited_lines"].iloc[0] == 0


def test_only_who_may_approve_is_offered_the_approval(forecasted, monkeypatch, signed_in):
    leader = open_supply(forecasted, monkeypatch, signed_in, "leader")
    assert any(s.value == i18n.t("plan.heading", "zh") for s in leader.subheader)  # the plan is read …
    assert "plan_approve" not in [b.key for b in leader.button]  # … with nothing to approve
    center = open_supply(forecasted, monkeypatch, signed_in, "center")
    assert "plan_approve" in [b.key for b in center.button]


def test_the_plan_command_writes_the_order_file(forecasted, tmp_path):
    out = tmp_path / "plan.csv"
    done = subprocess.run(
        [sys.executable, "-m", "marketpulse", "plan", "--out", str(out)],
        cwd=ROOT,
        env={**os.environ, "MARKETPULSE_DB": str(forecasted)},
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    frame = pd.read_csv(out, encoding="utf-8-sig")
    assert list(frame.columns) == [i18n.t(key, "zh") for _, key, _ in supply.ORDER_COLUMNS]
    assert (frame["限量(条/户)"] >= 0).all() and len(frame) > 0
    # the 控量户 beside it: each retailer's own 限量 below its line's
    capped = pd.read_csv(tmp_path / "plan-retailers.csv", encoding="utf-8-sig", dtype={"许可证号": str})
    assert list(capped.columns) == [i18n.t(key, "zh") for _, key, _ in supply.RETAILER_COLUMNS]
    assert len(capped) == frame["控量户(按需定量)"].sum()
    assert (capped["本户限量(条)"] < capped["档位限量(条/户)"]).all()
    supply_file = tmp_path / "supply.csv"
    pd.DataFrame({"spec_code": [str(frame["规格编码"].iloc[0])], "quantity": [5]}).to_csv(supply_file, index=False)
    out2 = tmp_path / "plan.xlsx"
    done = subprocess.run(
        [sys.executable, "-m", "marketpulse", "plan", "--supply", str(supply_file), "--out", str(out2)],
        cwd=ROOT,
        env={**os.environ, "MARKETPULSE_DB": str(forecasted)},
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    limited = pd.read_excel(out2, engine="openpyxl")
    # one spec may have 5 条, the others none: the plan's total (Σ each retailer's 限量) stays within the 5
    assert limited["合计(条,各户限量之和)"].sum() <= 5
    others = limited["规格编码"].astype(str) != str(frame["规格编码"].iloc[0])
    assert (limited.loc[others, "限量(条/户)"] == 0).all()


def test_the_plan_is_made_once_per_store_version_beside_the_latest_replay(forecasted, tmp_path, monkeypatch):
    path = tmp_path / "store.duckdb"
    shutil.copyfile(forecasted, path)
    monkeypatch.setenv("MARKETPULSE_DB", str(path))
    counts = {"plan": (5, 7), "last_year": (9, 6), "recent_average": (4, 8), "actual": (2, 9)}
    frame = pd.DataFrame(
        [
            {"origin": pd.Timestamp(week).date(), "policy": p, "stockout": s, "overstock": o, "supplied": 1.0,
             "sales": 1.0}
            for week in ("2026-11-02", "2026-11-09")
            for p, (s, o) in counts.items()
        ]
    )  # fmt: skip
    plan_eval.save(frame, path)
    city = views.supply_plan_page(store.CITY, "en")
    scoped = views.supply_plan_page(scopes(path)["department"], "zh")
    assert scoped.plan is city.plan  # one plan for every scope and language of a store version
    shown = city.replay.set_index(i18n.t("plan.col.policy", "en"))
    assert list(shown.index) == ["MarketPulse plan", "As last year", "Recent average", "Actually supplied"]
    assert list(shown[i18n.t("plan.col.stockout", "en")]) == [10, 18, 8, 4]  # summed over both weeks
    note = city.replay_note
    assert (note["n"], note["first"], note["last"]) == (2, "2026-11-02", "2026-11-09")


@pytest.mark.parametrize("allocation", ["tier_department", "tier"])
@pytest.mark.parametrize("which", ["territory", "cm"])
def test_a_scopes_retailer_files_name_its_own_retailers_only(forecasted, monkeypatch, allocation, which):
    """The plan is the center's, but the 控量户 files a 片区 or customer manager downloads name
    only the retailers assigned to them now, whatever the allocation key (a 档位-only line
    holds retailers of every 片区)."""
    monkeypatch.setenv("MARKETPULSE_DB", str(forecasted))
    shipped = supply.load_policy
    monkeypatch.setattr(supply, "load_policy", lambda: shipped(allocation_type=allocation))
    plan_module = sys.modules["marketpulse.views.supply"]
    plan_module.city_plan.cache_clear()
    scope = scopes(forecasted)[which]
    own = set(
        store.reader(forecasted).sql(
            "select license_no from retailer where territory_code = $t or cm_code = $c",
            {"t": scope.territory_code, "c": scope.cm_code},
        )["license_no"]
    )
    city = views.supply_plan_page(store.CITY, "zh")
    page = views.supply_plan_page(scope, "zh")
    plan_module.city_plan.cache_clear()
    assert city.licenses is None and page.licenses == own
    # the scope's share of the plan names it as its readers know it, not by its code
    names = store.reader(forecasted).sql(
        "select cm_name as n from customer_manager where cm_code = $c union all "
        "select territory_name from territory where territory_code = $t",
        {"c": scope.cm_code, "t": scope.territory_code},
    )["n"]
    assert page.scope_share["scope"] == names.iloc[0]
    named_by_city = set(supply.capped_retailers(views.own_retailers(city.lines, city.licenses))["license_no"])
    named = set(supply.capped_retailers(views.own_retailers(page.lines, page.licenses))["license_no"])
    assert named_by_city - own  # the city's file names others' retailers: the cut is what keeps them out
    assert named and named == named_by_city & own
    # the lines shown are those holding a retailer of the scope, with the center's 限量 and totals
    assert all(own & set(held) for held in page.lines["licenses"])
    shown = city.lines.set_index(["spec_code", "key", "tier"])
    for row in page.lines.itertuples():
        assert (row.limit_qty, row.total_qty) == tuple(
            shown.loc[(row.spec_code, row.key, row.tier), ["limit_qty", "total_qty"]]
        )


def test_the_limits_editor_keeps_the_plans_data_while_edits_come_in(forecasted, monkeypatch, signed_in):
    """A Streamlit editor whose data changes starts over in the browser and drops the edits made
    in it (the 限量 snapped back). The editor is given the plan's lines whatever has been edited;
    the edited lines, recomputed, are listed below it."""
    import streamlit as st

    given = []

    def editor(data, *args, key=None, **kwargs):  # the browser's editor: it reports an edit of line 0
        given.append(data.copy())
        st.session_state[key] = {"edited_rows": {0: {"limit_qty": 97}}, "added_rows": [], "deleted_rows": []}
        return data

    monkeypatch.setattr(st, "data_editor", editor)
    at = open_supply(forecasted, monkeypatch, signed_in)
    at.run()  # the rerun the edit starts
    assert not at.exception, [e.value for e in at.exception]
    assert len(given) >= 2
    pd.testing.assert_frame_equal(given[-1], given[0])  # the same data before and after the edit
    assert given[0]["limit_qty"].iloc[0] != 97
    assert i18n.t("plan.edited_none", "zh") not in [c.value for c in at.caption]
    edited = [frame for frame in (d.value for d in at.dataframe) if i18n.t("plan.col.limit", "zh") in frame]
    assert any((frame[i18n.t("plan.col.limit", "zh")] == 97).any() for frame in edited)
