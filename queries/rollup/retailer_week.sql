-- Rebuild retailer_week (one row per retailer × ISO week in which it was open) after
-- weekly_observation and retailer_visit have been refreshed.
-- Which rows: every retailer from the earliest week in temp table touched_retailer on
-- (a new week of facts adds that week for every retailer, visited or not), plus every
-- retailer that has no rows yet (new retailers, and all of them after a rebuild's delete).
-- Weeks run from the first to the last week with any visit or order in the store.
-- The rows are those of select/retailer_week.sql (the text Spark runs too), which
-- rollup.refresh makes the temp view retailer_week_rows; it reads the two tables below.

create or replace temp table retailer_week_span as
select
    cast(date_trunc('week', min(fact_date)) as date) as first_week,
    cast(date_trunc('week', max(fact_date)) as date) as last_week,
from (
    select visit_date as fact_date from visit_line
    union all
    select order_date as fact_date from order_line
) as fact;

create or replace temp table retailer_week_todo as
select
    todo.license_no,
    greatest(min(todo.from_week), min(span.first_week)) as from_week,
from (
    select r.license_no, cast(date_trunc('week', t.from_date) as date) as from_week
    from retailer as r
    cross join (select min(from_date) as from_date from touched_retailer) as t
    where t.from_date is not null
    union all
    select r.license_no, date '1900-01-01' as from_week
    from retailer as r
    where not exists (select 1 from retailer_week as rw where rw.license_no = r.license_no)
) as todo
cross join retailer_week_span as span
where span.first_week is not null
group by todo.license_no;

delete from retailer_week as rw
using retailer_week_todo as t
where rw.license_no = t.license_no
  and rw.week >= t.from_week;

-- in week order, so that a page's week range skips the rest (row-group min/max of week)
insert into retailer_week by name
select * from retailer_week_rows
order by week;

drop table retailer_week_todo;

drop table retailer_week_span;
