-- Rebuild launch_observation (weekly_observation's rows of each spec in its launch year), and
-- launch_order_week from it, for the retailer × spec pairs in temp table touched_pair(license_no,
-- spec_code, from_date), from the week of from_date on, after weekly_observation has been
-- refreshed. The rows are those of select/launch_observation.sql and select/launch_order_week.sql
-- (the texts Spark runs too), which rollup.refresh makes the temp views launch_observation_rows
-- and launch_order_week_rows.

delete from launch_observation as l
using touched_pair as t
where l.license_no = t.license_no
  and l.spec_code = t.spec_code
  and l.week >= date_trunc('week', t.from_date);

-- in week order, so that a page's week range skips the rest (row-group min/max of week)
insert into launch_observation by name
select * from launch_observation_rows
order by week;

-- launch_order_week: the order weeks among those rows (select/launch_order_week.sql)
delete from launch_order_week as l
using touched_pair as t
where l.license_no = t.license_no
  and l.spec_code = t.spec_code
  and l.week >= date_trunc('week', t.from_date);

insert into launch_order_week by name
select * from launch_order_week_rows
order by week;
