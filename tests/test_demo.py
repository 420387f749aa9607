"""The simulated city: deterministic, believable, and its planted events visible in the data."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import holidays
import pandas as pd
import pytest

from marketpulse import cli, ingest, simulate, store
from marketpulse.simulate.files import CUSTOMER_MANAGER, ORDER, RETAILER, SPEC, TERRITORY, VISIT

END = date(2026, 11, 16)


@pytest.fixture(scope="module")
def q(demo_store):
    reader = store.Reader(demo_store)
    return lambda sql, params=None: reader.sql(sql, params)


@pytest.fixture(scope="module")
def truth(q):
    return {row.kind: row for row in q("select * from demo_truth").itertuples()}


def _week(value) -> date:
    return pd.Timestamp(value).date()


# ── determinism and size ──────────────────────────────────────────────────────


def test_same_seed_gives_the_same_city_and_another_seed_another():
    a = simulate.simulate("small", seed=3, end_week=END)
    b = simulate.simulate("small", seed=3, end_week=END)
    c = simulate.simulate("small", seed=4, end_week=END)
    pd.testing.assert_frame_equal(a.visits, b.visits)
    pd.testing.assert_frame_equal(a.orders, b.orders)
    pd.testing.assert_frame_equal(a.retailer, b.retailer)
    pd.testing.assert_frame_equal(a.truth, b.truth)
    assert not a.visits["stock"].equals(c.visits["stock"])


def test_small_city_counts(q):
    counts = q(
        """select (select count(*) from department) as departments,
                  (select count(*) from territory) as territories,
                  (select count(*) from customer_manager) as cms,
                  (select count(*) from retailer) as retailers,
                  (select count(*) from retailer_assignment where valid_from = date '1900-01-01') as assignments,
                  (select count(*) from spec) as specs,
                  (select count(distinct week) from weekly_observation) as weeks,
                  (select count(*) from visit_line) as visit_lines,
                  (select count(*) from order_line) as order_lines,
                  (select count(*) from demo_truth) as truth_rows,
                  (select count(*) from import_log where import_id = 0 and file_name = 'demo') as demo_imports"""
    ).iloc[0]
    assert (counts.departments, counts.territories, counts.cms, counts.retailers, counts.specs) == (2, 4, 8, 120, 25)
    assert counts.assignments == 120
    assert counts.weeks == 60 >= 53  # same-period comparison has a year behind the last week
    assert 50_000 < counts.visit_lines < 150_000
    assert 40_000 < counts.order_lines < counts.visit_lines
    # the six planted events of EVENT_KINDS, the 调价 and the 片区 redraw
    assert counts.truth_rows == 8 and counts.demo_imports == 1


def test_window_ends_on_the_last_complete_week_and_nothing_is_in_the_future(q):
    span = q("""select min(visit_date) as first, max(visit_date) as last,
                       (select max(order_date) from order_line) as last_order,
                       (select max(week) from weekly_observation) as last_week from visit_line""").iloc[0]
    assert _week(span.last_week) == END
    assert _week(span.last) <= END + timedelta(days=6)
    assert _week(span.last_order) <= END + timedelta(days=6)
    assert _week(span.first) >= END - timedelta(weeks=59)
    assert simulate.last_complete_week(date(2026, 11, 23)) == date(2026, 11, 16)  # a Monday
    assert simulate.last_complete_week(date(2026, 11, 22)) == date(2026, 11, 9)  # a Sunday
    assert simulate.simulate("small", seed=1, weeks=40).end <= date.today() - timedelta(days=7)


# ── a believable city ─────────────────────────────────────────────────────────


def test_reference_data_looks_like_a_tobacco_marketing_center(q):
    ter = q("select * from territory join department using (department_code)")
    assert set(ter.area_type) == {"城网", "农网"}
    assert all(name.endswith("片区") for name in ter.territory_name)
    assert all(name.endswith("市场部") for name in ter.department_name)
    # every 市场部 is either all 城网 or all 农网: the county ones hold the rural territories
    assert (ter.groupby("department_code").area_type.nunique() == 1).all()
    r = q("select * from retailer")
    assert r.license_no.str.fullmatch(r"\d{12}").all() and r.license_no.is_unique
    assert set(r.format) <= {"食杂店", "便利店", "超市", "烟酒商店", "娱乐服务类", "其他"}
    assert r.tier.between(1, 30).all()
    assert (r.tier <= 10).mean() > 0.5 > (r.tier >= 20).mean()  # many low tiers, few high
    assert r.retailer_name.str.contains("店|超市|商行|部|KTV|网咖|宾馆|酒店|中心|室|亭|行").mean() > 0.9
    assert q("select count(*) as n from customer_manager where length(cm_name) not between 2 and 3").n[0] == 0
    s = q("select * from spec")
    assert set(s.price_class) == {"一类", "二类", "三类", "四类", "五类"}
    by_class = s.groupby("price_class").suggested_retail_price.agg(["min", "max"]).astype(float)
    assert by_class.loc["一类", "min"] >= 300 and by_class.loc["五类", "max"] <= 80
    assert (s.wholesale_price.astype(float) < s.suggested_retail_price.astype(float)).all()
    assert s.is_key_brand.any() and not s.is_key_brand.all()
    assert {"中华", "黄鹤楼", "芙蓉王", "玉溪", "云烟", "利群"} <= set(s.brand)
    start = END - timedelta(weeks=59)
    launched_inside = s[pd.to_datetime(s.launch_date).dt.date >= start]
    assert len(launched_inside) == 2
    assert (pd.to_datetime(s.launch_date).dt.date < start - timedelta(days=365)).sum() == 23


def test_volume_grows_with_tier_and_every_shop_carries_at_least_five_specs(q):
    by_tier = q(
        """select tb.tier_band, sum(w.sales_qty) / count(distinct w.license_no) / count(distinct w.week) as per_shop
           from weekly_observation as w join tier_band as tb using (tier_band) group by all order by min(tb.tier_from)"""
    )
    assert by_tier.per_shop.is_monotonic_increasing
    lines = q("select min(spec_lines) as least, avg(spec_lines) as mean from retailer_visit").iloc[0]
    assert lines["least"] >= 5 and lines["mean"] > 10


def test_facts_fall_inside_each_retailers_open_period_and_name_its_manager(q):
    outside = q(
        """select
               (select count(*) from visit_line join retailer as r using (license_no)
                asof join retailer_assignment as a
                  on a.license_no = visit_line.license_no and visit_line.visit_date >= a.valid_from
                where visit_date < r.opened_on or visit_date > r.closed_on or visit_line.cm_code <> a.cm_code) as visits,
               (select count(*) from order_line join retailer as r using (license_no)
                where order_date < r.opened_on or order_date > r.closed_on) as orders,
               (select count(*) from retailer where closed_on is not null) as closed,
               (select count(*) from retailer where opened_on >= (select min(visit_date) from visit_line)) as opened"""
    ).iloc[0]
    assert (outside.visits, outside.orders) == (0, 0)
    assert outside.closed >= 1 and outside.opened >= 1


def test_stock_follows_orders_minus_sales(q):
    # wherever sales were reported and the counts are honest: stock = previous + supplied − sales
    check = q(
        """with line as (
               select v.*, lag(v.stock_qty) over w as prev_stock, lag(v.visit_date) over w as prev_date
               from visit_line as v window w as (partition by license_no, spec_code order by visit_date)),
           flow as (
               select l.license_no, l.spec_code, l.visit_date, l.stock_qty, l.sales_qty, l.prev_stock,
                      coalesce(sum(o.supplied_qty), 0) as supplied
               from line as l left join order_line as o
                 on o.license_no = l.license_no and o.spec_code = l.spec_code
                and o.order_date > l.prev_date and o.order_date <= l.visit_date
               where l.sales_qty is not null and l.prev_date is not null
                 and l.cm_code not in (select cm_code from demo_truth where kind = 'copy_counts')
               group by all)
           select count(*) as n, count(*) filter (where prev_stock + supplied - sales_qty <> stock_qty) as broken
           from flow"""
    ).iloc[0]
    assert check.n > 10_000 and check.broken == 0


def test_sales_are_sometimes_reported_and_notes_use_the_field_words(q):
    share = q("select avg((sales_qty is not null)::int) as reported from visit_line").reported[0]
    assert 0.15 < share < 0.85
    notes = q("select notes, count(*) as n from visit_line where notes is not null group by 1")
    assert notes.n.sum() > 100
    assert {"民工回流,客流增加", "断货,客户要货", "附近超市搞促销"} <= set(notes.notes)
    ratio = q("""select avg(retail_price / s.suggested_retail_price) as r from visit_line join spec as s using (spec_code)
                 where retail_price is not null""").r[0]
    assert 0.98 < ratio < 1.03


def test_spring_festival_is_the_peak_of_the_year_on_its_lunar_date(q):
    festivals = simulate.spring_festivals(END - timedelta(weeks=59), END)
    cn = holidays.country_holidays("CN", years=range(2025, 2027), observed=False)
    first_days = sorted(cn.get_named("Spring Festival", lookup="icontains"))
    assert festivals == [date(2026, 2, 17)] and festivals[0] in first_days
    weekly = q("select week, area_type, sum(sales_qty) as sales from weekly_observation group by all")
    weekly["week"] = pd.to_datetime(weekly.week).dt.date
    city = weekly.groupby("week").sales.sum()
    for festival in festivals:
        sf_week = festival - timedelta(days=festival.weekday())
        year = city[(city.index > sf_week - timedelta(weeks=26)) & (city.index < sf_week + timedelta(weeks=26))]
        assert year.idxmax() == sf_week
        # 民工回流: the rural lift around the festival is stronger than the urban one
        around = [sf_week + timedelta(weeks=k) for k in (-1, 0, 1)]
        lift = {}
        for area, rows in weekly.groupby("area_type"):
            series = rows.set_index("week").sales
            lift[area] = series[series.index.isin(around)].mean() / series.median()
        assert lift["农网"] > lift["城网"] * 1.15


# ── planted events ────────────────────────────────────────────────────────────


def _cells(q, row):
    """Weekly cells of the event's spec in its territory (True) and in the rest of the city (False),
    with cover = stock ÷ average weekly sales of the trailing 4 weeks, as DESIGN.md defines it."""
    cells = q(
        """with cell as (
               select territory_code = $ter as planted, week,
                      sum(stock_qty) as stock, sum(sales_qty) as sales,
                      sum(retail_price * sales_qty) filter (where retail_price is not null) as paid,
                      sum(s.suggested_retail_price * sales_qty) filter (where retail_price is not null) as suggested,
                      sum(demand_qty) as demand, sum(supplied_qty) as supplied
               from weekly_observation join spec as s using (spec_code)
               where spec_code = $spec and week between $first::date - 21 and $last
               group by all)
           select *, stock / avg(sales) over (partition by planted order by week rows between 3 preceding and current row) as cover
           from cell""",
        {"ter": row.territory_code, "spec": row.spec_code, "first": row.first_week, "last": row.last_week},
    )
    cells = cells[pd.to_datetime(cells.week) >= pd.Timestamp(row.first_week)]
    return cells.set_index("planted")


def test_truth_rows_name_real_codes_and_mondays(q, truth):
    assert set(truth) == {*simulate.EVENT_KINDS, simulate.PRICE_CHANGE, simulate.REDRAW}
    for row in truth.values():
        assert _week(row.first_week).weekday() == 0 and _week(row.last_week).weekday() == 0
        assert _week(row.first_week) <= _week(row.last_week) <= END
    known = q(
        "select (select list(territory_code) from territory) as t, (select list(cm_code) from customer_manager) as c, "
        "(select list(spec_code) from spec) as s"
    ).iloc[0]
    for row in truth.values():
        assert pd.isna(row.territory_code) or row.territory_code in list(known.t)  # a 调价 is city-wide
        assert pd.isna(row.cm_code) or row.cm_code in list(known.c)
        assert pd.isna(row.spec_code) or row.spec_code in list(known.s)


def test_overstock_builds_weeks_of_cover(q, truth):
    cover = _cells(q, truth["overstock"]).cover.astype(float)
    assert cover[True].min() > 2.5 and cover[True].mean() > 4
    assert cover[False].max() < 2


def test_discounting_spell_sells_well_below_the_suggested_price(q, truth):
    cells = _cells(q, truth["discounting"]).groupby(level=0)[["paid", "suggested"]].sum()
    index = cells.paid / cells.suggested
    assert index[True] < 0.93 and index[False] > 0.97


def test_stockout_leaves_the_shelves_empty_and_prices_up(q, truth):
    cells = _cells(q, truth["stockout"])
    assert cells.cover[True].max() < 0.5 and cells.cover[False].min() > 0.7
    cells = cells.groupby(level=0)[["paid", "suggested", "demand", "supplied"]].sum()
    assert cells.paid[True] / cells.suggested[True] > 1.03
    assert cells.supplied[True] / cells.demand[True] < 0.3 < 0.8 < cells.supplied[False] / cells.demand[False]


def test_copied_counts_are_copy_suspect(q, truth):
    row = truth["copy_counts"]
    rates = (
        q(
            "select cm_code, avg(copy_suspect::int) as rate from retailer_visit where week between $a and $b group by 1",
            {"a": row.first_week, "b": row.last_week},
        )
        .set_index("cm_code")
        .rate
    )
    assert rates[row.cm_code] > 0.8
    assert rates.drop(row.cm_code).max() < 0.05


def test_missed_visits_cover_two_thirds_of_the_planned_visits(q, truth):
    row = truth["missed_visits"]
    rates = (
        q(
            """with planned as (
               select r.cm_code, count(*) as planned
               from retailer as r cross join (select distinct week from weekly_observation where week between $a and $b) as w
               where (r.opened_on is null or r.opened_on < w.week) and (r.closed_on is null or r.closed_on >= w.week + 7)
               group by 1),
           made as (select cm_code, count(*) as made from retailer_visit where week between $a and $b group by 1)
           select cm_code, made / planned as rate from planned join made using (cm_code)""",
            {"a": row.first_week, "b": row.last_week},
        )
        .set_index("cm_code")
        .rate
    )
    assert rates[row.cm_code] == pytest.approx(2 / 3, abs=0.07)
    assert rates.drop(row.cm_code).min() > 0.95


def test_lagging_territory_trails_the_new_spec_uptake(q, truth):
    row = truth["lagging_launch"]
    launch = q("select launch_date from spec where spec_code = $s", {"s": row.spec_code}).launch_date[0]
    assert _week(row.first_week) == _week(launch)
    reach = (
        q(
            """with took as (
               select territory_code, count(distinct license_no) as shops
               from weekly_observation where spec_code = $s and (stock_qty > 0 or supplied_qty > 0) group by 1),
           shops as (select territory_code, count(*) as shops from retailer where closed_on is null group by 1)
           select territory_code, took.shops / shops.shops as distribution from shops left join took using (territory_code)""",
            {"s": row.spec_code},
        )
        .set_index("territory_code")
        .distribution.fillna(0)
    )
    assert reach[row.territory_code] < 0.6 * reach.drop(row.territory_code).min()


def test_the_rest_of_the_city_stays_quiet(q):
    # outside the planted cells few territory × spec × week cells look overstocked, out of stock or discounted
    quiet = q(
        """with cell as (
               select territory_code, spec_code, week, any_value(area_type) as area,
                      sum(stock_qty) as stock, sum(sales_qty) as sales,
                      sum(retail_price * sales_qty) filter (where retail_price is not null) as paid,
                      sum(s.suggested_retail_price * sales_qty) filter (where retail_price is not null) as suggested
               from weekly_observation join spec as s using (spec_code) group by all),
           rated as (
               select *, stock / nullif(avg(sales) over (partition by territory_code, spec_code order by week
                                                         rows between 3 preceding and current row), 0) as cover,
                      100 * paid / nullif(suggested, 0) as price_index
               from cell),
           unplanted as (
               select * from rated as c
               where week >= (select min(week) + 28 from weekly_observation)
                 and not exists (select 1 from demo_truth as t
                                 where t.spec_code = c.spec_code and t.territory_code = c.territory_code
                                   and c.week between t.first_week and t.last_week))
           select avg((cover > case when area = '农网' then 2.4 else 2.0 end)::int) as high,
                  avg((cover < 0.5)::int) as low,
                  avg((price_index < 95)::int) as loose
           from unplanted"""
    ).iloc[0]
    assert quiet.high < 0.03 and quiet.low < 0.02 and quiet.loose < 0.005


# ── contract files ────────────────────────────────────────────────────────────


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    out = tmp_path_factory.mktemp("contract")
    assert cli.main(["demo", "--scale", "small", "--seed", "7", "--weeks", "40", "--to-files", str(out)]) == 0
    return out


def _header(path: Path, encoding: str) -> list[str]:
    with open(path, encoding=encoding) as fh:
        return fh.readline().strip().split(",")


def test_files_use_the_contract_headers_in_both_languages_and_encodings(files):
    assert _header(files / "territories.csv", "utf-8") == list(TERRITORY)
    assert _header(files / "customer_managers.csv", "gb18030") == list(CUSTOMER_MANAGER.values())
    assert (files / "retailers.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    assert _header(files / "retailers.csv", "utf-8-sig") == list(RETAILER.values())
    assert _header(files / "specs.csv", "utf-8") == list(SPEC)
    visits = sorted(files.glob("visits_*.csv"))
    orders = sorted(files.glob("orders_*.csv"))
    assert len(visits) == len(orders) >= 9
    headers = set()
    gb18030 = 0
    for path in visits:
        try:
            headers.add(tuple(_header(path, "utf-8")))
        except UnicodeDecodeError:
            gb18030 += 1
            headers.add(tuple(_header(path, "gb18030")))
    assert headers == {tuple(VISIT), tuple(VISIT.values())} and gb18030 == 1
    assert all(_header(p, "utf-8") == list(ORDER.values()) for p in orders)


def test_files_hold_every_row_of_the_simulated_city(files):
    city = simulate.simulate("small", seed=7, weeks=40)
    assert len(pd.read_csv(files / "retailers.csv", encoding="utf-8-sig")) == len(city.retailer)
    assert len(pd.read_csv(files / "specs.csv")) == len(city.spec)
    visit_rows = sum(len(pd.read_csv(p, encoding=_encoding(p))) for p in files.glob("visits_*.csv"))
    order_rows = sum(len(pd.read_csv(p)) for p in files.glob("orders_*.csv"))
    assert (visit_rows, order_rows) == (len(city.visits), len(city.orders))


def _encoding(path: Path) -> str:
    try:
        path.read_text(encoding="utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        return "gb18030"


def test_files_import_through_the_real_import_path(files, tmp_path):
    db = tmp_path / "imported.duckdb"
    reference = ["territories.csv", "customer_managers.csv", "retailers.csv", "specs.csv"]
    gb_month = next(p for p in sorted(files.glob("visits_*.csv")) if _encoding(p) == "gb18030")
    slash_month = next(p for p in sorted(files.glob("visits_*.csv")) if "/" in p.read_text(encoding=_encoding(p))[:200])
    chosen = [files / name for name in reference] + [gb_month, slash_month]
    chosen += [files / p.name.replace("visits_", "orders_") for p in (gb_month, slash_month)]
    for path in chosen:
        summary = ingest.import_file(path, db=db)
        assert summary.rows_quarantined == 0, summary.text("en")
        assert summary.rows_stored == summary.rows_read
    got = (
        store.Reader(db)
        .sql(
            "select (select count(*) from visit_line) as visits, (select count(*) from order_line) as orders, "
            "(select count(*) from retailer) as retailers"
        )
        .iloc[0]
    )
    expected_visits = sum(len(pd.read_csv(p, encoding=_encoding(p))) for p in (gb_month, slash_month))
    assert got.visits == expected_visits and got.retailers == 120
    assert got.orders == sum(
        len(pd.read_csv(files / p.name.replace("visits_", "orders_"))) for p in (gb_month, slash_month)
    )
    names = store.Reader(db).sql("select cm_name from customer_manager").cm_name
    assert names.str.fullmatch(r"[\u4e00-\u9fff]{2,3}").all()  # GB18030 read without garbling
    notes = store.Reader(db).sql("select notes from visit_line where notes is not null").notes
    written = pd.concat([pd.read_csv(p, encoding=_encoding(p)).iloc[:, 8] for p in (gb_month, slash_month)]).dropna()
    assert sorted(notes) == sorted(written) and len(notes) > 0


def test_too_few_weeks_is_a_usage_error(capsys):
    assert cli.main(["demo", "--scale", "small", "--weeks", "12", "--to-files", "unused"]) == 2
    assert "at least 40" in capsys.readouterr().err
    with pytest.raises(ValueError, match="at least 40"):
        simulate.simulate("small", weeks=12)
