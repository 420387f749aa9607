"""The weekly review as a reader sees it: the state ranking lists only tight and loose cells, a
manager's alerts are the manager's own, a city-wide grid stays legible, legends never cover titles."""

from __future__ import annotations

import importlib

import pandas as pd
import plotly.express as px
import pytest

from marketpulse import i18n
from marketpulse.ui import figures, shell, weekly, widgets

weekly_review = importlib.import_module("marketpulse.views.weekly_review")  # the module, not its function

TERRITORIES = (
    "东城 西城 城关 南城 北城 老城 火车站 开发区 高新 工业园 大学城 滨江 新区 石桥 河口 "
    "柳林 青山 白马 龙泉 黄庄 马集 双河 杨湾 新店 高桥 三岔 古城 沙河 桃园 红星"
).split()


def cells() -> pd.DataFrame:
    """Seven spec × territory cells: the highest score is balanced, so is the lowest; G has no score."""
    rows = [
        ("A", "tight", 90.0),
        ("B", "balanced", 95.0),
        ("C", "tight", 80.0),
        ("D", "loose", 20.0),
        ("E", "balanced", 10.0),
        ("F", "loose", 30.0),
        ("G", "loose", None),
    ]
    return pd.DataFrame(
        {
            "spec_name": [f"规格{code}" for code, _, _ in rows],
            "territory_name": "东城片区",
            "state": [s for _, s, _ in rows],
            "state_score": [v for _, _, v in rows],
            "cover_score": 50.0,
            "price_score": 50.0,
            "margin_score": 50.0,
            "ratio": 1.0,
            "price_index": 100.0,
        }
    )


def test_ranking_lists_tight_cells_tightest_first_then_loose_cells_loosest_first():
    ranked = weekly_review.state_ranking(cells(), "zh")
    # by hand: tight A 90, C 80; loose D 20, F 30 (G has no score); balanced B and E in neither list
    assert list(ranked["排名"]) == ["最紧俏第 1", "最紧俏第 2", "最宽松第 1", "最宽松第 2"]
    assert list(ranked["规格"]) == ["规格A", "规格C", "规格D", "规格F"]
    assert list(ranked["市场状态"]) == ["紧俏", "紧俏", "宽松", "宽松"]
    assert list(ranked["状态评分"]) == [90.0, 80.0, 20.0, 30.0]


def test_ranking_keeps_at_most_n_of_each_and_may_have_no_tight_cell():
    one = weekly_review.state_ranking(cells(), "en", n=1)
    assert list(one["Rank"]) == ["Tightest #1", "Loosest #1"]
    assert list(one["Spec"]) == ["规格A", "规格D"]
    none_tight = cells().assign(state=lambda d: d["state"].replace("tight", "balanced"))
    loose_only = weekly_review.state_ranking(none_tight, "zh")
    assert list(loose_only["规格"]) == ["规格D", "规格F"]
    assert i18n.t("weekly.no_tight", "zh") and i18n.t("weekly.no_loose", "en")


def test_a_managers_alerts_are_owned_by_that_manager(monkeypatch):
    cms = pd.DataFrame(
        {
            "cm_code": ["C1", "C2", "C3"],
            "cm_name": ["贾建亮", "武洋", "邹军林"],
            "territory_code": ["T1", "T1", "T1"],
        }
    )
    monkeypatch.setattr(weekly_review.metrics, "lookup", lambda name, *a, **k: cms)
    alerts = pd.DataFrame({"cm_name": [None, "武洋"], "territory_code": ["T1", "T1"]})
    # the city's view: a 片区's alert belongs to the 片区's managers
    assert weekly_review._owners(alerts) == ["贾建亮、武洋、邹军林", "武洋"]
    # signed in as 武洋: the numbers are 武洋's retailers only, so is the alert
    assert weekly_review._owners(alerts, "C2") == ["武洋", "武洋"]
    for lang in ("zh", "en"):
        assert "武洋" in i18n.t("weekly.cm_scope", lang, name="武洋")


def grid_frame(territories) -> pd.DataFrame:
    rows = [
        {
            "spec_code": f"S{i}",
            "spec_name": f"规格{i}",
            "territory_name": f"{ter}片区",
            "state": "tight" if (i + j) % 7 == 0 else "loose" if (i + j) % 5 == 0 else "balanced",
            "ratio": 1.0,
            "price_index": 100.0,
            "sales_qty": 100.0 - i,
        }
        for i in range(6)
        for j, ter in enumerate(territories)
    ]
    return pd.DataFrame(rows)


@pytest.mark.parametrize("lang, marks", [("zh", {"紧", "平", "松"}), ("en", {"T", "B", "L"})])
def test_a_city_wide_grid_writes_territories_upright_and_marks_cells_with_one_character(lang, marks):
    fig = weekly.state_matrix(grid_frame(TERRITORIES), shell.Filters(lang=lang, desc="全市"))
    assert weekly.crowded(fig)
    axis = fig.layout.xaxis
    # every column named, 片区 dropped, one character a line: no label is wider than a cell
    assert list(axis.tickvals) == [f"{t}片区" for t in TERRITORIES]
    assert list(axis.ticktext) == ["<br>".join(t) for t in TERRITORIES]
    assert axis.tickangle == 0
    # without monitoring bands every cell is labelled, each by one character
    assert {m for row in fig.data[0].text for m in row if m} == marks
    # the clicks and hovers still carry the full names: a hover names the column by its marker's
    # text, not by %{x}, which a category axis would write as the stacked tick text
    assert set(fig.data[1].x) == {f"{t}片区" for t in TERRITORIES}
    assert list(fig.data[1].text) == list(fig.data[1].x)
    assert "%{text}" in fig.data[1].hovertemplate and "%{x}" not in fig.data[1].hovertemplate


def test_a_few_columns_keep_their_names_and_words():
    fig = weekly.state_matrix(grid_frame(TERRITORIES[:5]), shell.Filters(desc="全市"))
    assert not weekly.crowded(fig)
    assert {m for row in fig.data[0].text for m in row if m} <= {"紧俏", "宽松", "平衡"}
    assert weekly.short_names(["东城片区", "西城片区"]) == ["东城", "西城"]
    assert weekly.short_names(["片区", "西城片区"]) == ["片区", "西城片区"]


def lines_frame(n: int) -> pd.DataFrame:
    weeks = pd.date_range("2026-08-31", periods=6, freq="7D")
    return pd.DataFrame(
        [{"week": w, "s": f"{t}片区", "v": 50.0 + k} for k, t in enumerate(TERRITORIES[:n]) for w in weeks]
    )


@pytest.mark.parametrize("n", [2, 5, 31 - 1])
def test_a_legend_sits_under_the_plot_and_the_figure_grows_by_its_rows(n):
    fig = figures.lines(
        lines_frame(n), "week", "v", "s", "标题", "2026-08-31–2026-10-05 · 全市", "周", "比重(%)", unit="pct"
    )
    legend = fig.layout.legend
    assert (legend.yref, legend.yanchor, legend.y) == ("container", "bottom", 0)
    rows = figures.legend_rows([f"{t}片区" for t in TERRITORIES[:n]])
    assert fig.layout.height == 360 + figures.LEGEND_ROW * rows + 8
    # the top margin holds the title and subtitle only, whatever the number of entries
    assert fig.layout.margin.t == 72


def test_legend_rows_by_hand():
    # widest entry "火车站片区": 5 CJK at 13 px + 45 = 110 px; 420 px holds 3 a row → 31 entries in 11 rows
    assert figures.legend_rows([f"{t}片区" for t in TERRITORIES] + ["全市"]) == 11
    assert figures.legend_rows([]) == 0


def test_a_long_title_wraps_after_a_natural_break_and_moves_the_plot_down():
    title = "泰山(华贵细支):全市上市以来的铺货率、上柜率、动销率、重购率"
    lines = figures.wrap_title(title)
    assert "".join(lines) == title and len(lines) == 2
    assert all(figures._text_px(line, 16) <= figures.NARROW for line in lines)
    assert lines[0].endswith("、")
    fig = figures.style(px.line(x=[1, 2], y=[1, 2]), title, "全市")
    assert fig.layout.margin.t == 72 + figures.TITLE_LINE
    assert fig.layout.title.text.count("<br>") == 1
    assert figures.wrap_title("存销比走势") == ["存销比走势"]


def test_a_card_value_shrinks_with_its_width_in_ems():
    plain = widgets._ems("3568")
    long = widgets._ems("298,929 <span style='font-size:0.64em;color:#666'>cartons</span>")
    assert plain == pytest.approx(2.4)
    assert long == pytest.approx(8 * 0.6 + 0.64 * 7 * 0.6)  # "298,929 " then "cartons" at 0.64 em


def test_an_alert_opens_what_it_is_about(demo_store, monkeypatch):
    """A spec × 片区 alert opens that cell here, its 市场部 chosen too; a manager's own alert
    (照搬照抄, 漏访) opens the manager's detail on the 客户经理 page with its 市场部 and 片区 chosen
    too; a retailer outlier its manager's retailers here, the same way while the manager still
    serves the alert's 片区, else the manager alone (a 片区's account stays in its 片区); a 片区
    unknown to the store opens without a 市场部."""
    from types import SimpleNamespace

    from marketpulse import store

    monkeypatch.setenv("MARKETPULSE_DB", str(demo_store))
    cm = (
        store.reader(demo_store)
        .sql(
            "select cm.cm_code, cm.territory_code, t.department_code from customer_manager as cm "
            "join territory as t using (territory_code) order by 1 limit 1"
        )
        .iloc[0]
    )
    codes = pd.DataFrame(
        [
            ("S1", cm.territory_code, None, "overstock"),
            (None, None, cm.cm_code, "copy_suspect"),
            (None, cm.territory_code, cm.cm_code, "retailer_outlier"),
            ("S1", "T9", None, "overstock"),
            (None, "T9", cm.cm_code, "retailer_outlier"),  # the manager has moved on since
        ],
        columns=["spec_code", "territory_code", "cm_code", "kind"],
    )
    data, f = SimpleNamespace(alert_codes=codes), shell.Filters()
    placed = {"ter": cm.territory_code, "dep": cm.department_code}
    assert weekly.alert_target(data, 0, f) == {"spec": "S1", **placed}
    assert weekly.alert_target(data, 1, f) == {"page": weekly.MANAGERS_PAGE, "cm": cm.cm_code, **placed}
    assert weekly.alert_target(data, 2, f) == {"cm": cm.cm_code, **placed}
    assert weekly.alert_target(data, 3, f) == {"ter": "T9", "spec": "S1"}
    assert weekly.alert_target(data, 4, f) == {"cm": cm.cm_code}


def test_a_territorys_week_grid_says_the_weeks_it_holds():
    """The sidebar chose 13 weeks (08-31 … 11-23); a 片区's spec × week grid holds its last
    eight (10-05 … 11-23), and its subtitle says those."""
    import datetime as dt

    weeks = pd.date_range("2026-10-05", "2026-11-23", freq="7D")
    frame = pd.DataFrame(
        {"spec_code": "S1", "spec_name": "规格1", "territory_name": "东城片区", "state": "balanced",
         "ratio": 1.0, "price_index": 100.0, "sales_qty": 10.0, "week": weeks}
    )  # fmt: skip
    f = shell.Filters(
        week_from=dt.date(2026, 8, 31), week_to=dt.date(2026, 11, 23), desc="2026-08-31–2026-11-23 · 东城片区"
    )
    fig = weekly.state_matrix(frame, f, by_week=True, title="t")
    assert fig.layout.title.subtitle.text.startswith("2026-10-05–2026-11-23 · 东城片区")
