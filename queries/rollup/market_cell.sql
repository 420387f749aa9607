-- Rebuild market_cell (one row per spec × 片区 × customer manager × customer group × week)
-- for the specs in temp table touched_pair(license_no, spec_code, from_date), from the
-- first week touched on, after trailing_sales has been refreshed. A cell sums every
-- retailer of its spec, so all cells of a touched spec from that week are rebuilt.
-- The rows are those of select/market_cell.sql (the text Spark runs too), which
-- rollup.refresh makes the temp view market_cell_rows.

delete from market_cell as c
using (
    select spec_code, min(date_trunc('week', from_date))::date as from_week
    from touched_pair
    group by all
) as t
where c.spec_code = t.spec_code
  and c.week >= t.from_week;

-- in week order, so that a page's week range skips the rest (row-group min/max of week)
insert into market_cell by name
select * from market_cell_rows
order by week;
