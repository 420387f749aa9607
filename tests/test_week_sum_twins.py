"""The metrics whose level × week sums the lake keeps (level_week_total): sales_volume,
key_brand_share, avg_price_per_carton, price_index and retail_margin read their base file's kept
twin (kept/sales_by_level_week, kept/priced_sales_by_level_week) and equal their evaluation at
every level under the city, and within a 市场部 or 片区 none of whose retailers or managers ever
lay outside it; a filter, a product level, the retailer level, a manager's scope or a crossed
scope is evaluated. (That the kept sums equal a fresh evaluation after every import is in
test_lake_import.py; when a write evaluates them again, in test_level_week_total.py.)
"""

from __future__ import annotations

import datetime as dt

import duckdb
import pandas as pd
import pytest
import sqlglot
from sqlglot import exp
from test_alert_week import kept_lake, served  # noqa: F401 - the exported lake and its use

from marketpulse import metrics, store
from marketpulse.metrics import kept
from marketpulse.store.queries import query_text

LAST_WEEK = dt.date(2026, 11, 16)
METRICS = {
    "sales_volume": lambda *a, **f: metrics.sales_volume(*a[:3], "all", *a[3:], **f),
    "key_brand_share": lambda *a, **f: metrics.key_brand_share(*a[:3], "all", *a[3:], **f),
    "avg_price_per_carton": lambda *a, **f: metrics.avg_price_per_carton(*a[:3], "all", *a[3:], **f),
    "price_index": metrics.price_index,
    "retail_margin": metrics.retail_margin,
}
KEY = ["week", "level_key"]


def _both(monkeypatch, metric, week_from, week_to, level, scope, **filters):
    """The metric as read (and how: its queries, a `*` for each that read the kept twins), then
    evaluated."""
    read = []
    real = kept.query

    def recording(name, *args, swap=(), **kwargs):
        read.append(name + ("*" if swap else ""))
        return real(name, *args, swap=swap, **kwargs)

    monkeypatch.setattr(kept, "query", recording)
    metrics.api.forget_city_reads()
    got = METRICS[metric](week_from, week_to, level, scope, **filters)
    names = " → ".join(r for r in read if not r.startswith("kept/"))  # kept/present, kept/crossings: the look
    with monkeypatch.context() as m:
        m.setattr(kept, "kept_level", lambda *args: None)
        evaluated = METRICS[metric](week_from, week_to, level, scope, **filters)
    order = [c for c in KEY + ["product_key"] if c in got.columns]
    return (
        names,
        got.sort_values(order).reset_index(drop=True),
        evaluated.sort_values(order).reset_index(drop=True),
    )


@pytest.mark.parametrize("name", list(METRICS))
def test_a_swapped_read_takes_the_kept_sums_in_place_of_the_cells(name):
    def tables(sql: str) -> set[str]:
        tree = sqlglot.parse_one(sql, read="duckdb")
        return {t.name for t in tree.find_all(exp.Table)} - {c.alias for c in tree.find_all(exp.CTE)}

    evaluated, swapped = tables(query_text(name)), tables(query_text(name, kept.WEEK_SUM_TWINS))
    assert "spec_cm_week" in evaluated and "level_week_total" not in evaluated
    assert "level_week_total" in swapped and not swapped & {"spec_cm_week", "spec_group_week", "weekly_observation"}
    # the twin asks which kept level it reads; the base file's filters are gone
    takes = store.query_params(name, kept.WEEK_SUM_TWINS)
    assert "kept_level" in takes and "kept_level" not in store.query_params(name)
    assert not takes & {"format", "tier_band", "area_type", "brand", "price_class", "spec_code"}


@pytest.mark.parametrize("metric", list(METRICS))
@pytest.mark.parametrize("level", ["city", "department", "territory", "cm"])
@pytest.mark.parametrize(
    ("week_from", "week_to"),
    [
        (LAST_WEEK - dt.timedelta(weeks=12), LAST_WEEK),  # the sidebar's 13 weeks, with 环比 and 同期
        (dt.date(2025, 12, 22), dt.date(2026, 1, 12)),  # across a year's turn
        (dt.date(2025, 10, 6), dt.date(2025, 10, 13)),  # where the data begin: no week before, no 同期
    ],
)
def test_the_citys_metrics_read_from_the_kept_sums_equal_their_evaluation(
    served,  # noqa: F811
    monkeypatch,
    metric,
    level,
    week_from,
    week_to,
):
    read, got, evaluated = _both(monkeypatch, metric, week_from, week_to, level, store.CITY)
    assert read == metric + "*" and len(evaluated)
    pd.testing.assert_frame_equal(got, evaluated, check_dtype=False, rtol=1e-9)


D01, T0102 = store.Scope(department_code="D01"), store.Scope(territory_code="T0102")
D02 = store.Scope(department_code="D02")  # its retailers moved between its 片区, never out of it
KH001 = store.Scope(cm_code="KH001")  # a manager whose retailers were never anyone else's
KH005 = store.Scope(cm_code="KH005")  # a manager of D02, whose redraw moved retailers between managers
CASES = [(D01, "city"), (D01, "department"), (D01, "territory"), (D01, "cm"), (D02, "city"), (D02, "cm")]
CASES += [(T0102, "city"), (T0102, "territory"), (T0102, "cm"), (KH001, "city"), (KH001, "cm")]


@pytest.mark.parametrize("metric", list(METRICS))
@pytest.mark.parametrize(("scope", "level"), CASES)
def test_a_scope_no_retailer_crossed_reads_the_citys_sums_within_it(served, monkeypatch, metric, scope, level):  # noqa: F811
    read, got, evaluated = _both(monkeypatch, metric, LAST_WEEK - dt.timedelta(weeks=3), LAST_WEEK, level, scope)
    assert read == metric + "*" and len(evaluated)
    pd.testing.assert_frame_equal(got, evaluated, check_dtype=False, rtol=1e-9)


@pytest.mark.parametrize(
    ("scope", "level", "filters"),
    [
        (store.CITY, "city", {"brand": "黄鹤楼"}),  # a filter sums fewer cells
        (store.CITY, "city", {"format": "便利店"}),
        (store.CITY, "retailer", {}),  # a level the lake does not keep
        (KH005, "city", {}),  # crossed: retailers moved between managers
        (KH001, "territory", {}),  # a manager's 片区 row is its own retailers in it, which no kept row holds
        (store.Scope(territory_code="T0201"), "territory", {}),  # crossed: retailers redrawn across it
        (T0102, "department", {}),  # above a 片区
    ],
)
@pytest.mark.parametrize("metric", ["sales_volume", "price_index"])
def test_what_the_kept_sums_do_not_answer_for_is_evaluated(served, monkeypatch, metric, scope, level, filters):  # noqa: F811
    read, _, evaluated = _both(monkeypatch, metric, LAST_WEEK, LAST_WEEK, level, scope, **filters)
    assert read == metric and len(evaluated)


def test_a_table_taken_away_since_the_look_is_evaluated_and_a_broken_twin_is_raised(served, monkeypatch):  # noqa: F811
    real = kept.query

    def failing(message):
        def read(name, *args, swap=(), **kwargs):
            if swap:
                raise duckdb.CatalogException(message)
            return real(name, *args, **kwargs)

        return read

    metrics.api.forget_city_reads()
    monkeypatch.setattr(kept, "query", failing("Catalog Error: Table with name level_week_total does not exist!"))
    got = metrics.sales_volume(LAST_WEEK, LAST_WEEK, "territory", "all", store.CITY)
    assert len(got) and got["sales_qty"].notna().all()
    # a twin that lost its shared end's CTE is a defect, not a write: it must not pass unseen
    monkeypatch.setattr(kept, "query", failing("Catalog Error: Table with name level_week does not exist!"))
    with pytest.raises(duckdb.CatalogException):
        metrics.sales_volume(LAST_WEEK, LAST_WEEK, "territory", "all", store.CITY)


def test_a_product_level_other_than_all_is_evaluated(served, monkeypatch):  # noqa: F811
    read = []
    real = kept.query
    monkeypatch.setattr(kept, "query", lambda name, *a, swap=(), **k: read.append((name, swap)) or real(name, *a, **k))
    metrics.sales_volume(LAST_WEEK, LAST_WEEK, "territory", "brand", store.CITY)
    assert read == [("sales_volume", ())]


@pytest.fixture(scope="module")
def no_key_brand_lake(tmp_path_factory):
    """A hand-made city of two 片区 in one week (2026-W10): R1 in T1 sells 3 条 of key brand S1;
    R2 in T2 sells 2 条 of N1, no key brand, and its S1 line has no sales (unknown, not 0)."""
    from marketpulse import lake, rollup

    root = tmp_path_factory.mktemp("no_key_brand")
    db = root / "store.duckdb"
    with store.writer(db) as con:
        con.execute("insert into department values ('D1', '城区市场部')")
        con.execute("insert into territory values ('T1', '东片', 'D1', '城网'), ('T2', '西片', 'D1', '城网')")
        con.execute("insert into customer_manager values ('C1', '张三', 'T1'), ('C2', '李四', 'T2')")
        con.execute(
            "insert into spec values ('S1', '中华(硬)', '中华', '一类', 400, 450, true, date '2020-01-01'), "
            "('N1', '新品(细支)', '新品', '二类', 200, 230, false, date '2020-01-01')"
        )
        con.execute(
            "insert into spec_price values ('S1', date '2020-01-01', null, 400, 450), "
            "('N1', date '2020-01-01', null, 200, 230)"
        )
        for lic, ter, cm in (("R1", "T1", "C1"), ("R2", "T2", "C2")):
            con.execute(
                "insert into retailer values (?, ?, '食杂店', 8, ?, ?, null, date '2024-01-01', null)",
                [lic, "店" + lic, ter, cm],
            )
            con.execute(
                "insert into retailer_assignment values (?, date '1900-01-01', null, ?, ?, '食杂店', 8)",
                [lic, ter, cm],
            )
        con.execute(
            "insert into visit_line values (date '2026-03-04', 'C1', 'R1', 'S1', 5, 450, true, 3, null, 1), "
            "(date '2026-03-04', 'C2', 'R2', 'N1', 5, 230, true, 2, null, 1), "
            "(date '2026-03-04', 'C2', 'R2', 'S1', 5, 450, true, null, null, 1)"
        )
        rollup.rebuild(con)
    path = root / "lake"
    lake.export_lake(path, db)
    return db, path


def test_a_territory_selling_no_key_brand_has_a_share_of_0_read_from_the_kept_sums(no_key_brand_lake, monkeypatch):
    db, path = no_key_brand_lake
    monkeypatch.setenv("MARKETPULSE_LAKE", str(path))
    monkeypatch.setenv("MARKETPULSE_DB", str(db))
    week = dt.date(2026, 3, 2)
    read, got, evaluated = _both(monkeypatch, "key_brand_share", week, week, "territory", store.CITY)
    assert read == "key_brand_share*"
    share = dict(zip(got["level_key"], got["key_brand_share"], strict=True))
    # T1: 3 of 3 条 key brand = 1; T2: 0 of 2 条 (R2's S1 line has no known sales) = 0, not undefined
    assert share == {"T1": 1.0, "T2": 0.0}
    assert list(got["sales_qty"]) == [3.0, 2.0]
    pd.testing.assert_frame_equal(got, evaluated, check_dtype=False)


@pytest.fixture(scope="module")
def year_turn_lake(tmp_path_factory):
    """A hand-made city over ISO year turns: 市场部 D1 → 片区 T1, T2; D2 → T3. Manager C1 serves R1
    (T1) and R2 (T2), two 片区 of one 市场部; C2 serves R3 (T2), C3 serves R4 (T3). Visits on the
    Wednesday of weeks 2019-12-30 (2020-W01), 2020-12-21, 2020-12-28 (2020-W53), 2021-01-04
    (2021-W01), 2021-12-27 and 2022-01-03, the i-th (1…6) with these lines (sales in 条):
      R1 S1 (key brand) 3+i at 460 元 · R2 N1 2, priced in odd weeks · R2 S1 unknown sales
      R3 N1 0 at 220 元 · R4 S1 1+i, no price · R4 N1 4 at 240 元"""
    from marketpulse import lake, rollup

    root = tmp_path_factory.mktemp("year_turn")
    db = root / "store.duckdb"
    with store.writer(db) as con:
        con.execute("insert into department values ('D1', '一部'), ('D2', '二部')")
        con.execute(
            "insert into territory values ('T1', '东片', 'D1', '城网'), ('T2', '西片', 'D1', '城网'), "
            "('T3', '南片', 'D2', '农网')"
        )
        con.execute("insert into customer_manager values ('C1', '甲', 'T1'), ('C2', '乙', 'T2'), ('C3', '丙', 'T3')")
        con.execute(
            "insert into spec values ('S1', '中华(硬)', '中华', '一类', 400, 450, true, date '2019-01-01'), "
            "('N1', '新品', '新品', '二类', 200, 230, false, date '2019-01-01')"
        )
        con.execute(
            "insert into spec_price values ('S1', date '2019-01-01', null, 400, 450), "
            "('N1', date '2019-01-01', null, 200, 230)"
        )
        for lic, ter, cm in (("R1", "T1", "C1"), ("R2", "T2", "C1"), ("R3", "T2", "C2"), ("R4", "T3", "C3")):
            con.execute(
                "insert into retailer values (?, ?, '食杂店', 8, ?, ?, null, date '2019-01-01', null)",
                [lic, "店" + lic, ter, cm],
            )
            con.execute(
                "insert into retailer_assignment values (?, date '1900-01-01', null, ?, ?, '食杂店', 8)",
                [lic, ter, cm],
            )
        for i, week in enumerate(YEAR_TURN_WEEKS, start=1):
            day = week + dt.timedelta(days=2)
            con.executemany(
                "insert into visit_line values (?, ?, ?, ?, 5, ?, true, ?, null, 1)",
                [
                    (day, "C1", "R1", "S1", 460, 3 + i),
                    (day, "C1", "R2", "N1", 230 if i % 2 else None, 2),
                    (day, "C1", "R2", "S1", 450, None),
                    (day, "C2", "R3", "N1", 220, 0),
                    (day, "C3", "R4", "S1", None, 1 + i),
                    (day, "C3", "R4", "N1", 240, 4),
                ],
            )
        rollup.rebuild(con)
    path = root / "lake"
    lake.export_lake(path, db)
    return db, path


YEAR_TURN_WEEKS = [dt.date(*d) for d in ((2019, 12, 30), (2020, 12, 21), (2020, 12, 28), (2021, 1, 4))]
YEAR_TURN_WEEKS += [dt.date(2021, 12, 27), dt.date(2022, 1, 3)]


@pytest.mark.parametrize(
    ("scope", "twins"),
    [
        (store.CITY, True),
        (store.Scope(department_code="D1"), True),  # holds C1's row of two of its 片区
        (store.Scope(territory_code="T3"), True),
        (store.Scope(territory_code="T1"), False),  # crossed: its manager C1 serves T2 too
    ],
)
def test_over_year_turns_and_a_manager_in_two_territories_the_kept_sums_equal_their_evaluation(
    year_turn_lake, monkeypatch, scope, twins
):
    db, path = year_turn_lake
    monkeypatch.setenv("MARKETPULSE_LAKE", str(path))
    monkeypatch.setenv("MARKETPULSE_DB", str(db))
    first, last = YEAR_TURN_WEEKS[0], YEAR_TURN_WEEKS[-1]
    for metric in METRICS:
        for level in ("city", "department", "territory", "cm"):
            if scope.territory_code and level == "department":
                continue  # above a 片区
            read, got, evaluated = _both(monkeypatch, metric, first, last, level, scope)
            assert read == metric + ("*" if twins else ""), (metric, level)
            assert len(evaluated), (metric, level)
            pd.testing.assert_frame_equal(got, evaluated, check_dtype=False, rtol=1e-12)


def test_week_53_has_no_same_period_and_week_1_compares_with_53_weeks_back(year_turn_lake, monkeypatch):
    db, path = year_turn_lake
    monkeypatch.setenv("MARKETPULSE_LAKE", str(path))
    monkeypatch.setenv("MARKETPULSE_DB", str(db))
    read, got, _ = _both(monkeypatch, "key_brand_share", dt.date(2020, 12, 28), dt.date(2021, 1, 4), "city", store.CITY)
    assert read == "key_brand_share*"
    w53, w01 = got.iloc[0], got.iloc[1]
    # 2020-W53 (i = 3): 2020 had no week 53 before it, so no same period
    assert pd.isna(w53["same_period_week"]) and pd.isna(w53["sp_sales_qty"])
    # 2021-W01 (i = 4): R1 S1 7 + R2 N1 2 + R3 N1 0 + R4 S1 5 + R4 N1 4 = 18 条, key brand S1 7 + 5 = 12;
    # its same period is 2020-W01, Monday 2019-12-30, 53 weeks back (i = 1): 4 + 2 + 0 + 2 + 4 = 12, key 4 + 2 = 6
    assert pd.Timestamp(w01["same_period_week"]).date() == dt.date(2019, 12, 30)
    assert (w01["sales_qty"], w01["key_sales_qty"], w01["sp_sales_qty"], w01["sp_key_sales_qty"]) == (18, 12, 12, 6)
    assert w01["key_brand_share"] == pytest.approx(12 / 18) and w01["sp_key_brand_share"] == pytest.approx(6 / 12)
    # the same read of 2021-W01 alone: its same period lies 53 weeks before week_from, not 52
    read, alone, evaluated = _both(
        monkeypatch, "key_brand_share", dt.date(2021, 1, 4), dt.date(2021, 1, 4), "city", store.CITY
    )
    assert read == "key_brand_share*" and (alone["sp_sales_qty"].iloc[0], alone["sp_key_sales_qty"].iloc[0]) == (12, 6)
    pd.testing.assert_frame_equal(alone, evaluated, check_dtype=False)


def test_the_price_index_and_margin_read_from_the_kept_sums_are_worked_by_hand(year_turn_lake, monkeypatch):
    db, path = year_turn_lake
    monkeypatch.setenv("MARKETPULSE_LAKE", str(path))
    monkeypatch.setenv("MARKETPULSE_DB", str(db))
    week = dt.date(2021, 1, 4)  # i = 4
    # priced (a price and sales > 0): R1 S1 460 × 7 (suggested 450, wholesale 400) and R4 N1 240 × 4
    # (suggested 230, wholesale 200); R2 N1 is unpriced in even weeks, R3 sold 0, R4 S1 has no price
    retail, suggested, margin = 460 * 7 + 240 * 4, 450 * 7 + 230 * 4, (460 - 400) * 7 + (240 - 200) * 4
    read, index, _ = _both(monkeypatch, "price_index", week, week, "city", store.CITY)
    assert read == "price_index*"
    assert index["price_index"].iloc[0] == pytest.approx(100 * retail / suggested)  # 4180 / 4070 → 102.70
    read, margins, _ = _both(monkeypatch, "retail_margin", week, week, "city", store.CITY)
    assert read == "retail_margin*"
    assert margins["retail_margin"].iloc[0] == pytest.approx(margin / retail)  # 580 / 4180
