"""Which weeks of the lake a visits or orders import reads and rewrites, and loading them.

The rules of queries/rollup/, builder by builder, for a file whose rows fall in weeks F..last:
- weekly_observation: a pair's week changes with its own facts, and so does the week of the
  pair's next visit (its sales are the stock change since the previous visit plus the orders
  in between). Let N be the latest such week (the lake's next visits after the file's rows,
  by pair and by retailer; `last` when there is none).
- launch_observation: weekly_observation's rows in their spec's launch year: as it, F..N.
- launch_order_week: the order weeks of launch_observation's rows: as it, F..N.
- retailer_week_sales: a retailer's week sums its weekly_observation rows: F..N.
- retailer_visit: a visit changes with its lines, and so does the retailer's next visit (days
  since, orders between) and each line's next visit (stock unchanged since): weeks F..N.
- retailer_week: its visits and last visit date, from a new visit to the next one, and every
  retailer in weeks the file adds after the lake's last: F..N.
- spec_group_week, spec_cm_week, order_cm_week: sums of weekly_observation: F..N.
- trailing_sales, market_cell, cover_cm_week: a week's sales count toward the three weeks
  after it (sales_4w): F..N+3.
Nothing before F changes, and nothing after those weeks. What the refresh reads besides: the
facts of the file's retailers from four weeks before F (their previous visits) to N+3, their
whole history where a line's previous visit lies further back (or there is none), their
observations of the three weeks before F (trailing_sales), every retailer's visit rows from
four weeks before F and the last one before that (retailer_week's last visit date), the
orders and the rows of every table it rewrites in the weeks it rewrites them.
"""

from __future__ import annotations

import datetime as dt
import logging

from marketpulse.lake import manifest as mf

log = logging.getLogger(__name__)

WEEK = dt.timedelta(days=7)
LOOKBACK_WEEKS = 4  # most previous visits lie within; trailing_sales reads three
TRAILING_WEEKS = 3  # a week's sales count toward the three weeks after it (sales_4w)
FACT_KINDS = ("visits", "orders")
FACT_TABLES = tuple(mf.FACT_DATES)
# roll-up → weeks after N it can change in (see the module's docstring)
CHANGES_AFTER = {
    "weekly_observation": 0,
    "launch_observation": 0,
    "launch_order_week": 0,
    "retailer_week_sales": 0,
    "retailer_visit": 0,
    "retailer_week": 0,
    "trailing_sales": TRAILING_WEEKS,
    "market_cell": TRAILING_WEEKS,
    "spec_group_week": 0,
    "spec_cm_week": 0,
    "cover_cm_week": TRAILING_WEEKS,
    "order_cm_week": 0,
}


def monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def week_span(first: dt.date, last: dt.date) -> list[dt.date]:
    """Every Monday from `first` to `last` (both Mondays); empty when last < first."""
    return [first + WEEK * i for i in range((last - first).days // 7 + 1)]


def load_for_facts(scratch, kind) -> None:
    """Load what storing temp table `good` (visits or orders) reads; mark the weeks it may change."""
    con, date = scratch.con, kind.key[0]
    first, last = con.execute(f"select min({date}), max({date}) from good").fetchone()
    if first is None:
        return
    first, last = monday(first), monday(last)
    lower = first - WEEK * LOOKBACK_WEEKS
    until = next_visit_week(scratch, date, last)
    trailing = until + WEEK * TRAILING_WEEKS
    shops = {r[0] for r in con.execute("select distinct license_no from good").fetchall()}
    for table, after in CHANGES_AFTER.items():
        scratch.load_weeks([table], week_span(first, until + WEEK * after))
        scratch.mark(table, week_span(first, until + WEEK * after))
    scratch.load_weeks(["order_line"], week_span(first, until))  # order_cm_week counts every order
    scratch.load_weeks(["retailer_visit"], week_span(lower, first))
    scratch.load_weeks(["retailer_week"], _latest_before(scratch, "retailer_week", first))  # who has rows already
    scratch.load_retailers(FACT_TABLES, week_span(lower, trailing), shops)
    scratch.load_retailers(["weekly_observation"], week_span(first - WEEK * TRAILING_WEEKS, first), shops)
    _earlier_history(scratch, date, lower)
    _last_visits(scratch, lower)
    weeks = {r[0] for r in con.execute(f"select distinct date_trunc('week', {date})::date from good").fetchall()}
    scratch.load_weeks([kind.table], weeks)  # its partitions are written whole
    scratch.mark(kind.table, weeks)
    log.info("lake import: weeks %s..%s rewritten (%s..%s read)", first, trailing, lower, trailing)


def load_for_specs(scratch, import_monday: dt.date) -> None:
    """A specs file: the weeks of weekly_observation it reads and of the roll-ups it rewrites —
    launch_observation and launch_order_week in the old and new launch year of a spec whose
    launch moves, and
    retailer_week_sales from the first day whose price changes on (ingest/history.plan's rule)."""
    con = scratch.con
    moved = con.execute(
        """
        select date_trunc('week', s.launch_date)::date, date_trunc('week', g.launch_date)::date
        from good as g join spec as s using (spec_code)
        where date_trunc('week', g.launch_date) is distinct from date_trunc('week', s.launch_date)
        """
    ).fetchall()
    launch = {w for starts in moved for start in starts if start for w in week_span(start, start + WEEK * 51)}
    repriced = con.execute(
        """
        with
        g as (select spec_code, coalesce(effective_date, $monday::date) as eff, wholesale_price,
                     suggested_retail_price from good),
        k as (
            select
                g.eff,
                count(p.spec_code) as periods,
                count(p.spec_code) filter (where p.valid_to is null or p.valid_to > g.eff) as reaching,
                count(p.spec_code) filter (
                    where (p.valid_to is null or p.valid_to > g.eff)
                      and (p.wholesale_price, p.suggested_retail_price)
                          is distinct from (g.wholesale_price, g.suggested_retail_price)
                ) as differing,
                max(p.valid_to) as last_to,
            from g left join spec_price as p using (spec_code)
            group by g.spec_code, g.eff
        )
        select min(case when reaching = 0 then last_to else eff end) from k
        where periods > 0 and (reaching = 0 or differing > 0)
        """,
        {"monday": import_monday},
    ).fetchone()[0]
    lake_weeks = scratch.lake_weeks("weekly_observation")
    prices = {w for w in lake_weeks if repriced is not None and w >= monday(repriced)}
    launches = ("launch_observation", "launch_order_week")
    for tables, weeks in ((launches, launch & set(lake_weeks)), (("retailer_week_sales",), prices)):
        if weeks:
            scratch.load_weeks(["weekly_observation", *tables], weeks)
            for table in tables:
                scratch.mark(table, weeks)
            log.info("lake import: specs, %d weeks of %s rewritten", len(weeks), " and ".join(tables))


def next_visit_week(scratch, date: str, last: dt.date) -> dt.date:
    """The week of the lake's next visit after the good rows, of a pair or a retailer they touch
    (the latest of them); `last` when there is none."""
    files = scratch.files("visit_line", [w for w in scratch.lake_weeks("visit_line") if w >= last])
    if not files:
        return last
    found = scratch.con.execute(
        f"""
        with
        visit as (
            {scratch.select("visit_line", files, "where license_no in (select license_no from good)")}
        ),
        pair as (select license_no, spec_code, max({date}) as last_date from good group by all),
        shop as (select license_no, max({date}) as last_date from good group by all)
        select max(next_visit) from (
            select min(v.visit_date) as next_visit from visit as v join pair using (license_no, spec_code)
            where v.visit_date > pair.last_date group by v.license_no, v.spec_code
            union all
            select min(v.visit_date) from visit as v join shop using (license_no)
            where v.visit_date > shop.last_date group by v.license_no
        )
        """
    ).fetchone()[0]
    return max(last, monday(found)) if found else last


def _earlier_history(scratch, date: str, lower: dt.date) -> None:
    """The whole history of a retailer of the file with a line whose previous visit is not in the
    weeks read (or that has no visit there at all): further back, or none."""
    earlier = [w for w in scratch.lake_weeks("visit_line") if w < lower]
    if not earlier:
        return
    shops = {
        r[0]
        for r in scratch.con.execute(
            f"""
            with
            g as (select license_no, min({date}) as from_date from good group by all),
            since as (
                select v.license_no, v.spec_code from visit_line as v join g using (license_no)
                where v.visit_date >= g.from_date
                union
                select license_no, spec_code from good
            ),
            seen as (
                select distinct v.license_no, v.spec_code from visit_line as v join g using (license_no)
                where v.visit_date < g.from_date
            )
            select distinct license_no from (select * from since except select * from seen)
            union
            select license_no from g
            where not exists (
                select 1 from visit_line as v where v.license_no = g.license_no and v.visit_date < g.from_date
            )
            """
        ).fetchall()
    }
    if shops:
        scratch.load_retailers(FACT_TABLES, week_span(min(earlier), lower - WEEK), shops)
        log.info("lake import: whole history read for %d retailers", len(shops))


def _latest_before(scratch, table: str, week: dt.date) -> list[dt.date]:
    """The lake's latest partition of `table` before `week` (none: an empty list)."""
    return [w for w in scratch.lake_weeks(table) if w < week][-1:]


def _last_visits(scratch, lower: dt.date) -> None:
    """Each retailer's last visit row before `lower` (retailer_week carries its last visit date on)."""
    before = scratch.files("retailer_week", _latest_before(scratch, "retailer_week", lower))
    if not before:
        return
    last_visit = (
        f"select license_no, last_visit_date from read_parquet({before!r}, hive_partitioning = false) "
        "where last_visit_date < $lower"
    )
    con = scratch.con
    weeks = {
        monday(r[0])
        for r in con.execute(f"select distinct last_visit_date from ({last_visit})", {"lower": lower}).fetchall()
    }
    files = scratch.files("retailer_visit", weeks - scratch.loaded["retailer_visit"])
    if files:
        where = f"where (license_no, visit_date) in ({last_visit})"
        con.execute(f"delete from retailer_visit {where}", {"lower": lower})
        con.execute(
            f"insert into retailer_visit by name {scratch.select('retailer_visit', files, where)}", {"lower": lower}
        )
