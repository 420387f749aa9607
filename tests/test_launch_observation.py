"""launch_observation: weekly_observation's rows of each spec in its launch year (the Monday of its
launch date and the 51 weeks after), which new-brand uptake and the scorecard's new-brand
carrying read instead of scanning every spec's weeks; and launch_order_week, the weeks of that year
with an order line asking for or supplying the spec, which uptake reads instead of a year of order
lines. Kept by imports as a rebuild makes them, also when a specs file moves a launch date."""

from __future__ import annotations

import datetime as dt
import shutil

import pandas as pd

from marketpulse import ingest, rollup, store


def _launch_rows(con) -> pd.DataFrame:
    return con.execute("select * from launch_observation order by week, license_no, spec_code").df()


def _by_definition(con) -> pd.DataFrame:
    """The definition, spelled out: a row of weekly_observation whose week lies between its spec's
    launch Monday and that Monday + 51 weeks (357 days)."""
    obs = con.execute("select * from weekly_observation").df()
    spec = con.execute("select spec_code, launch_date from spec").df()
    spec["launch_monday"] = pd.to_datetime(spec["launch_date"]).map(lambda d: d - pd.Timedelta(days=d.weekday()))
    rows = obs.merge(spec[["spec_code", "launch_monday"]], on="spec_code")
    week = pd.to_datetime(rows["week"])
    rows = rows[(week >= rows["launch_monday"]) & (week <= rows["launch_monday"] + pd.Timedelta(days=357))]
    return rows.drop(columns="launch_monday").sort_values(["week", "license_no", "spec_code"]).reset_index(drop=True)


def _order_weeks(con) -> pd.DataFrame:
    return con.execute("select * from launch_order_week order by week, license_no, spec_code").df()


def _order_weeks_by_definition(con) -> pd.DataFrame:
    """From the order lines themselves: the Monday of each line with demand or supply > 0 whose
    week lies in its spec's launch year, once per retailer × spec × week."""
    lines = con.execute(
        "select order_date, license_no, spec_code from order_line where demand_qty > 0 or supplied_qty > 0"
    ).df()
    spec = con.execute("select spec_code, launch_date from spec").df()
    spec["launch_monday"] = pd.to_datetime(spec["launch_date"]).map(lambda d: d - pd.Timedelta(days=d.weekday()))
    day = pd.to_datetime(lines["order_date"])
    lines["week"] = day - pd.to_timedelta(day.dt.day_of_week, unit="D")
    rows = lines.merge(spec[["spec_code", "launch_monday"]], on="spec_code")
    rows = rows[
        (rows["week"] >= rows["launch_monday"]) & (rows["week"] <= rows["launch_monday"] + pd.Timedelta(days=357))
    ]
    rows = rows[["week", "license_no", "spec_code"]].drop_duplicates()
    return rows.sort_values(["week", "license_no", "spec_code"]).reset_index(drop=True)


def test_the_order_weeks_are_those_of_the_launch_years_order_lines(demo_store):
    with store.reader(demo_store).cursor() as con:
        got, expected = _order_weeks(con), _order_weeks_by_definition(con)
    assert len(got) > 0 and got["spec_code"].nunique() >= 2
    got["week"] = pd.to_datetime(got["week"])
    pd.testing.assert_frame_equal(got, expected, check_dtype=False)


def test_the_rows_are_each_specs_launch_year_of_weekly_observation(demo_store):
    with store.reader(demo_store).cursor() as con:
        got, expected = _launch_rows(con), _by_definition(con)
    assert len(got) > 0 and got["spec_code"].nunique() >= 2  # the demo launches new specs in its two years
    pd.testing.assert_frame_equal(got, expected, check_dtype=False)


def test_a_launch_moved_by_a_specs_file_leaves_what_a_rebuild_makes(demo_store, tmp_path):
    path = tmp_path / "store.duckdb"
    shutil.copyfile(demo_store, path)
    moved = tmp_path / "specs.csv"
    with store.reader(path).cursor() as con:
        spec_code, launch = con.execute(
            "select spec_code, launch_date from spec order by launch_date desc limit 1"
        ).fetchone()
        con.execute(
            "copy (select spec_code, spec_name, brand, price_class, wholesale_price, suggested_retail_price, "
            "is_key_brand, launch_date + 42 as launch_date from spec where spec_code = $s) to "
            f"'{moved}' (header)",
            {"s": spec_code},
        )
        weeks_before = set(
            con.execute("select week from launch_observation where spec_code = $s", {"s": spec_code}).df()["week"]
        )
    ingest.import_file(moved, "specs", db=path, today=dt.date(2027, 1, 10))
    with store.writer(path) as con:
        refreshed = _launch_rows(con)
        assert len(refreshed) > 0
        pd.testing.assert_frame_equal(refreshed, _by_definition(con), check_dtype=False)
        weeks_after = set(refreshed[refreshed["spec_code"] == spec_code]["week"])
        # six weeks later: the first six weeks of the old launch year are gone, six after it came in
        first = min(weeks_before)
        assert min(weeks_after) == first + dt.timedelta(weeks=6) and launch is not None
        orders = _order_weeks(con)
        assert orders["spec_code"].eq(spec_code).any()
        rollup.rebuild(con)
        pd.testing.assert_frame_equal(refreshed, _launch_rows(con))
        pd.testing.assert_frame_equal(orders, _order_weeks(con))
