-- Rebuild retailer_visit (one row per retailer × visit date) for the retailers in temp
-- table touched_retailer(license_no, from_date), from the week of from_date on.
-- The rows are those of select/retailer_visit.sql (the text Spark runs too), which
-- rollup.refresh makes the temp view retailer_visit_rows.

delete from retailer_visit as rv
using touched_retailer as t
where rv.license_no = t.license_no
  and rv.visit_date >= date_trunc('week', t.from_date);

-- in week order, so that a page's week range skips the rest (row-group min/max of week)
insert into retailer_visit by name
select * from retailer_visit_rows
order by week;
