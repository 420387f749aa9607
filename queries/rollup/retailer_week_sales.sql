-- Rebuild retailer_week_sales (one row per retailer × week: its lines with known sales,
-- summed) for the retailers in temp table touched_retailer(license_no, from_date), from the
-- week of from_date on, after weekly_observation has been refreshed. The rows are those of
-- select/retailer_week_sales.sql (the text Spark runs too), which rollup.refresh makes the
-- temp view retailer_week_sales_rows.

delete from retailer_week_sales as r
using touched_retailer as t
where r.license_no = t.license_no
  and r.week >= date_trunc('week', t.from_date);

-- in week order, so that a page's week range skips the rest (row-group min/max of week)
insert into retailer_week_sales by name
select * from retailer_week_sales_rows
order by week;
