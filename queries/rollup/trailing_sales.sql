-- Rebuild trailing_sales (one row per retailer × spec × week w with known sales in any of
-- w−3 .. w) for the retailer × spec pairs in temp table touched_pair(license_no, spec_code,
-- from_date), from the week of from_date on, after weekly_observation has been refreshed.
-- A full rebuild is the same with every pair and from_date = 1900-01-01.
-- The rows are those of select/trailing_sales.sql (the text Spark runs too), which
-- rollup.refresh makes the temp view trailing_sales_rows.

delete from trailing_sales as t
using touched_pair as p
where t.license_no = p.license_no
  and t.spec_code = p.spec_code
  and t.week >= date_trunc('week', p.from_date);

-- in week order, so that a page's week range skips the rest (row-group min/max of week)
insert into trailing_sales by name
select * from trailing_sales_rows
order by week;
