"""retailer_week_sales: one row per retailer × week of its lines with known sales, summed —
stock, sales, sales valued at the actual price and at the suggested price in force that week
(零售户异常's inputs). Checked against the definition spelled out in pandas, and after a 调价:
the weeks from its effective date are valued at the new price, as a rebuild makes them."""

from __future__ import annotations

import datetime as dt
import shutil

import pandas as pd

from marketpulse import ingest, rollup, store

KEY = ["week", "license_no"]


def _rows(con) -> pd.DataFrame:
    frame = con.execute("select * from retailer_week_sales order by week, license_no").df()
    return frame.astype({c: float for c in ("stock_qty", "sales_qty", "retail_value", "suggested_value")})


def _by_definition(con) -> pd.DataFrame:
    """Lines with known sales; actual and suggested value over the priced lines that sold; the
    suggested price of a week is the spec_price period holding its Monday."""
    obs = con.execute("select * from weekly_observation where sales_qty is not null").df()
    price = con.execute("select spec_code, valid_from, valid_to, suggested_retail_price from spec_price").df()
    lines = obs.merge(price, on="spec_code")
    week = pd.to_datetime(lines["week"])
    lines = lines[
        (pd.to_datetime(lines["valid_from"]) <= week)
        & (lines["valid_to"].isna() | (week < pd.to_datetime(lines["valid_to"])))
    ]
    assert len(lines) == len(obs)  # every spec has a price period for every week
    sold = lines["retail_price"].notna() & (lines["sales_qty"] > 0)
    lines = lines.assign(
        stock_qty=lines["stock_qty"].astype(float),
        sales_qty=lines["sales_qty"].astype(float),
        retail_value=(lines["retail_price"].astype(float) * lines["sales_qty"].astype(float)).where(sold),
        suggested_value=(lines["suggested_retail_price"].astype(float) * lines["sales_qty"].astype(float)).where(sold),
    )
    return (
        lines.groupby(KEY, as_index=False)[["stock_qty", "sales_qty", "retail_value", "suggested_value"]]
        .sum(min_count=1)
        .sort_values(KEY)
        .reset_index(drop=True)
    )


def _compare(con) -> None:
    got = _rows(con)[[*KEY, "stock_qty", "sales_qty", "retail_value", "suggested_value"]]
    pd.testing.assert_frame_equal(got, _by_definition(con), check_dtype=False, rtol=1e-12)


def test_a_row_sums_a_retailers_week_of_lines_with_known_sales(demo_store):
    with store.reader(demo_store).cursor() as con:
        _compare(con)
        # one retailer is in one 片区 and 档位 band a week: one row per retailer and week
        assert con.execute("select count(*) = count(distinct (week, license_no)) from retailer_week_sales").fetchone()[
            0
        ]


def test_a_price_change_revalues_the_weeks_from_its_effective_date(demo_store, tmp_path):
    path = tmp_path / "store.duckdb"
    shutil.copyfile(demo_store, path)
    specs = tmp_path / "specs.csv"
    with store.reader(path).cursor() as con:
        last = con.execute("select max(week) from weekly_observation").fetchone()[0]
        effective = last - dt.timedelta(weeks=8)
        spec_code = con.execute(
            "select spec_code from weekly_observation where week >= $w and sales_qty > 0 and retail_price is not null "
            "group by all order by sum(sales_qty) desc limit 1",
            {"w": effective},
        ).fetchone()[0]
        con.execute(
            "copy (select spec_code, spec_name, brand, price_class, wholesale_price, suggested_retail_price + 20 "
            "as suggested_retail_price, is_key_brand, launch_date, $e as effective_date from spec "
            f"where spec_code = $s) to '{specs}' (header)",
            {"s": spec_code, "e": effective},
        )
        before = _rows(con).set_index(KEY)
        # the spec's priced sales per retailer-week: what 20 元 more a 条 adds to suggested_value
        sold = (
            con.execute(
                "select week, license_no, sum(sales_qty)::double as qty from weekly_observation "
                "where spec_code = $s and retail_price is not null and sales_qty > 0 group by all",
                {"s": spec_code},
            )
            .df()
            .set_index(KEY)["qty"]
        )
    ingest.import_file(specs, "specs", db=path, today=last + dt.timedelta(days=6))
    with store.writer(path) as con:
        after = _rows(con).set_index(KEY)
        _compare(con)
        delta = (after["suggested_value"] - before["suggested_value"]).fillna(0)
        expected = (
            (20 * sold)
            .where(sold.index.get_level_values("week") >= pd.Timestamp(effective))
            .reindex(delta.index)
            .fillna(0)
        )
        pd.testing.assert_series_equal(delta, expected, check_names=False, rtol=1e-12, atol=1e-9)
        assert expected.sum() > 0
        rollup.rebuild(con)
        pd.testing.assert_frame_equal(after.reset_index(), _rows(con))
