"""The page-grain roll-ups (schema 014): kept in step by an import exactly as a rebuild makes
them, and every metric read from them equals its old form over weekly_observation."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pandas as pd
import pytest

from marketpulse import ingest, metrics, rollup, store
from marketpulse.store import queries

CELL_TABLES = {
    "spec_group_week": "week, spec_code, cm_code, format, tier_band, area_type",
    "spec_cm_week": "week, spec_code, cm_code",
    "cover_cm_week": "week, spec_code, cm_code",
    "market_cell": "week, spec_code, cm_code, format, tier_band, area_type",
    "order_cm_week": "week, cm_code, format, tier_band, area_type",
}

# Whole files in their form before they read the roll-ups of schema 015 (or before their
# week ranges were made constants the scan can prune by): tests/old_forms/<name>.sql.
OLD_FILES = Path(__file__).resolve().parent / "old_forms"

# The metrics' old forms over weekly_observation / trailing_sales: (file, start of the new text,
# end of it (None: the file's end), the old text in its place).
OLD_FORMS = [
    (
        "base/sales_by_level_week.sql",
        "cell as (",
        "select * from ref('base/sales_with_prior')",
        """params as (
    select date_trunc('week', $week_from::date)::date as week_from, date_trunc('week', $week_to::date)::date as week_to,
),
observation as (
    select o.week, o.level_key, o.product_key, o.sales_qty::double as sales_qty,
        (o.sales_qty * o.wholesale_price)::double as sales_value, o.is_key_brand,
    from ref('base/observation_at_level', lookback_weeks='53') as o
    cross join params as p
    where o.week between p.week_from - interval 53 weeks and p.week_to
      and o.sales_qty is not null
),
level_week as (
    select week, level_key, product_key, sum(sales_qty) as sales_qty, sum(sales_value) as sales_value,
        coalesce(sum(sales_qty) filter (where is_key_brand), 0) as key_sales_qty,
    from observation
    group by all
)

""",
    ),
    (
        "base/priced_sales_by_level_week.sql",
        "cell as (",
        None,
        """observation as (
    select o.week, o.level_key, o.sales_qty::double as sales_qty,
        o.retail_price::double * o.sales_qty::double as retail_value,
        o.suggested_retail_price::double * o.sales_qty::double as suggested_value,
        (o.retail_price - o.wholesale_price)::double * o.sales_qty::double as margin_value,
    from ref('base/observation_at_level', lookback_weeks='3', product_level='all') as o
    cross join params as p
    where o.week between p.week_from and p.week_to and o.retail_price is not null and o.sales_qty > 0
),
level_week as (
    select week, level_key, sum(sales_qty) as sales_qty, sum(retail_value) as retail_value,
        sum(suggested_value) as suggested_value, sum(margin_value) as margin_value,
        count(*)::integer as observations,
    from observation
    group by all
)
select * from level_week
""",
    ),
    (
        "base/level_week_sums.sql",
        "cell as (",
        "select * from level_week",
        """observation as (
    select o.week, o.level_key, o.product_key, o.is_key_brand, o.sales_qty::double as sales_qty,
        o.wholesale_price::double as wholesale_price,
        o.suggested_retail_price::double as suggested_retail_price,
        o.demand_qty::double as demand_qty, o.supplied_qty::double as supplied_qty,
        case when o.retail_price is not null then o.sales_qty::double end as priced_sales_qty,
        o.retail_price::double * o.sales_qty::double as retail_value,
    from ref('base/observation_at_level') as o
),
level_week as (
    select week, level_key, product_key, sum(sales_qty) as sales_qty,
        sum(sales_qty * wholesale_price) as sales_value,
        sum(case when is_key_brand then sales_qty end) as key_sales_qty,
        sum(demand_qty) as demand_qty, sum(supplied_qty) as supplied_qty, sum(retail_value) as retail_value,
        sum(priced_sales_qty * suggested_retail_price) as suggested_value,
        sum(retail_value - priced_sales_qty * wholesale_price) as margin_value,
    from observation
    group by all
)

""",
    ),
    ("base/period_sums.sql", "(select min(week) from spec_cm_week)", "", "(select min(week) from weekly_observation)"),
    ("base/fixed_weight.sql", "ref('base/cell_at_level'", "", "ref('base/observation_at_level'"),
    (
        "base/fixed_index.sql",
        "spec_week as (",
        "weighted as (",
        """spec_week as (
    select o.week, o.level_key, o.spec_code, avg(o.retail_price::double) as actual_price,
        avg(o.suggested_retail_price::double) as suggested_price, count(*)::integer as observations,
    from ref('base/observation_at_level', lookback_weeks='0', product_level='all') as o
    cross join params as p
    where o.week between p.week_from and p.week_to and o.retail_price is not null
    group by all
),
""",
    ),
    (
        "inventory_ratio.sql",
        "-- the cells that answer",
        "level_week as (",
        """observation as (
    select
        o.week,
        case $level
            when 'city' then 'city' when 'department' then o.department_code
            when 'territory' then o.territory_code when 'cm' then o.cm_code when 'retailer' then o.license_no
            when 'brand' then s.brand when 'price_class' then s.price_class when 'spec' then o.spec_code
        end as level_key,
        o.stock_qty::double as stock_qty, o.sales_qty::double as sales_qty, o.sales_4w::double as sales_4w,
        o.weeks_known,
    from trailing_sales as o
    join spec as s using (spec_code)
    cross join params as p
    where o.week between p.week_from and p.week_to
      and ($format is null or o.format = $format)
      and ($tier_band is null or o.tier_band = $tier_band)
      and ($area_type is null or o.area_type = $area_type)
      and ($brand is null or s.brand = $brand)
      and ($price_class is null or s.price_class = $price_class)
      and ($spec_code is null or o.spec_code = $spec_code)
),
""",
    ),
]


@pytest.fixture(scope="module")
def old_queries(tmp_path_factory):
    """A copy of queries/ with the rewritten metrics in their old form."""
    root = tmp_path_factory.mktemp("old_queries") / "queries"
    shutil.copytree(queries.QUERY_DIR, root)
    for old in OLD_FILES.glob("*.sql"):
        shutil.copyfile(old, root / old.name)
    for name, start, end, old in OLD_FORMS:
        path = root / name
        text = path.read_text(encoding="utf-8")
        assert start in text, f"{name}: {start!r} not found: update OLD_FORMS with the query"
        i = text.index(start)
        j = len(text) if end is None else i + len(start) if end == "" else text.index(end, i)
        path.write_text(text[:i] + old + text[j:], encoding="utf-8")
    return root


def _cells(con, table: str) -> pd.DataFrame:
    return con.execute(f"select * from {table} order by {CELL_TABLES[table]}").df()


def test_an_import_keeps_the_cells_as_a_rebuild_makes_them(demo_store, tmp_path):
    path = tmp_path / "store.duckdb"
    shutil.copyfile(demo_store, path)
    week_csv = tmp_path / "week.csv"
    reader = store.reader(path)
    last = reader.sql("select max(visit_date) as d from visit_line")["d"][0].date()
    columns = (
        "visit_date, cm_code, license_no, spec_code, stock_qty + 3 as stock_qty, retail_price + 1 as retail_price, "
        "on_shelf, sales_qty, notes"
    )
    # a week's corrections: some lines of the last weeks with other counts and prices
    reader.cursor().execute(
        f"copy (select {columns} "
        f"from visit_line where visit_date >= $d and hash(license_no, spec_code) % 5 = 0) to '{week_csv}' (header)",
        {"d": last - dt.timedelta(days=20)},
    )
    summary = ingest.import_file(week_csv, "visits", db=path, force=True)
    assert summary.rows_stored > 0
    with store.writer(path) as con:
        refreshed = {table: _cells(con, table) for table in CELL_TABLES}
        rollup.rebuild(con)
        for table in CELL_TABLES:
            pd.testing.assert_frame_equal(refreshed[table], _cells(con, table), obj=table)
    assert len(refreshed["spec_cm_week"]) < len(refreshed["spec_group_week"])


# the alert list orders by week, severity, kind and 片区: rows tied on those may come in any order
UNORDERED_TIES = {"alerts"}

CASES = [
    ("sales_volume", {"level": "city", "product_level": "brand"}),
    ("sales_volume", {"level": "territory", "product_level": "all", "format": "便利店"}),
    ("sales_volume", {"level": "retailer", "product_level": "all"}),
    ("key_brand_share", {"level": "cm", "product_level": "price_class", "area_type": "农网"}),
    ("avg_price_per_carton", {"level": "department", "product_level": "all"}),
    ("price_index", {"level": "brand"}),
    ("price_index", {"level": "retailer", "tier_band": "06-15"}),
    ("retail_margin", {"level": "territory", "format": "便利店"}),
    ("price_index_fixed", {"level": "territory"}),
    ("price_index_fixed", {"level": "spec", "area_type": "城网"}),
    ("period_totals", {"level": "territory", "product_level": "all"}),
    ("period_totals", {"level": "city", "product_level": "brand", "tier_band": "06-15"}),
    ("inventory_ratio", {"level": "city"}),
    ("inventory_ratio", {"level": "cm", "format": "便利店"}),
    ("inventory_ratio", {"level": "retailer"}),
    ("market_state", {}),
    ("market_state", {"tier_band": "06-15"}),
    ("market_state", {"price_class": "一类"}),  # the specs of a 价类, without a join per cell row
    ("price_index_chained", {"level": "city", "formula": "fisher"}),
    ("price_index_chained", {"level": "territory", "formula": "tornqvist", "format": "便利店"}),
    ("price_index_chained", {"level": "retailer", "formula": "laspeyres"}),
    ("order_fill", {"level": "city", "product_level": "all"}),
    ("order_fill", {"level": "cm", "product_level": "all", "area_type": "城网"}),
    ("order_fill", {"level": "territory", "product_level": "brand"}),
    ("order_fill", {"level": "retailer", "product_level": "all"}),
    ("cm_scorecard", {"level": "cm"}),
    ("cm_scorecard", {"level": "territory", "format": "便利店"}),
    ("cm_scorecard", {"level": "department", "price_class": "一类"}),
    ("cm_scorecard", {"level": "retailer"}),
    ("new_brand_uptake", {"level": "territory"}),
    ("new_brand_uptake", {"level": "city", "tier_band": "06-15"}),
    ("price_compliance", {"level": "territory", "tolerance": None}),
    ("price_compliance", {"level": "retailer", "tolerance": 0.05, "format": "便利店"}),
    ("alerts", {"kinds": None, "territories": None}),
    ("alerts", {"kinds": "retailer_outlier,overstock", "territories": None, "format": "便利店"}),
    # a product filter: 零售户异常 from the filtered lines, not retailer_week_sales
    ("alerts", {"kinds": "retailer_outlier", "territories": None, "price_class": "一类"}),
]


@pytest.mark.parametrize("scoped", [False, True], ids=["city", "cm_scope"])
def test_each_metric_read_from_the_cells_equals_its_old_form(demo_store, old_queries, monkeypatch, scoped):
    reader = store.reader(demo_store)
    week = reader.sql("select max(week) as w from weekly_observation")["w"][0].date()
    scope = store.CITY
    if scoped:
        scope = store.Scope(cm_code=reader.sql("select min(cm_code) as c from customer_manager")["c"][0])
    for name, params in CASES:
        params = {"week_from": week - dt.timedelta(weeks=5), "week_to": week, **params}
        new = metrics.query(name, params, scope, path=demo_store)
        monkeypatch.setattr(queries, "QUERY_DIR", old_queries)
        old = metrics.query(name, params, scope, path=demo_store)
        monkeypatch.undo()
        assert len(new) > 0 or scoped, (name, params)  # a manager may have no 农网 retailers
        if name in UNORDERED_TIES:  # rows tied in the query's order may come in either order
            new, old = (f.sort_values(list(f.columns), kind="stable", na_position="last") for f in (new, old))
        pd.testing.assert_frame_equal(
            new.reset_index(drop=True), old.reset_index(drop=True), check_dtype=False, rtol=1e-9, obj=name
        )


@pytest.mark.parametrize("level", ["department_code", "territory_code", "cm_code"])
def test_a_scope_sees_only_its_own_cells(demo_store, level):
    """Every page-grain table is cut by a scope as weekly_observation is: a 市场部, 片区 or
    customer manager reads only its own rows, and the cells sum to its observations."""
    reader = store.reader(demo_store)
    code = reader.sql(f"select min({level}) as c from weekly_observation")["c"][0]
    scope = store.Scope(**{level: code})
    for table in CELL_TABLES:
        rows = reader.sql(f"select {level} as c, count(*) as n from {table} group by all", scope=scope)
        assert list(rows["c"]) == [code], table
        assert rows["n"].sum() < reader.sql(f"select count(*) as n from {table}")["n"][0], table
    cells = reader.sql("select sum(ordering_retailers) as n from order_cm_week", scope=scope)["n"][0]
    observed = reader.sql(
        "select count(distinct (license_no, week)) as n from weekly_observation where order_lines > 0", scope=scope
    )["n"][0]
    assert cells == observed > 0
