-- Rebuild weekly_observation (one row per retailer × spec × week) for the retailer × spec
-- pairs in temp table touched_pair(license_no, spec_code, from_date), from the week of
-- from_date on. A full rebuild is the same with every pair and from_date = 1900-01-01.
-- The rows are those of select/weekly_observation.sql (the text Spark runs too), which
-- rollup.refresh makes the temp view weekly_observation_rows.

delete from weekly_observation as w
using touched_pair as t
where w.license_no = t.license_no
  and w.spec_code = t.spec_code
  and w.week >= date_trunc('week', t.from_date);

-- in week order, so that a page's week range skips the rest (row-group min/max of week)
insert into weekly_observation by name
select * from weekly_observation_rows
order by week;
