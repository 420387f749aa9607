-- The rows of market_cell (one per spec × 片区 × customer manager × customer group × week)
-- for the specs in touched_pair(license_no, spec_code, from_date), from the first week
-- touched on, after trailing_sales is current. One text for DuckDB (rollup/market_cell.sql
-- inserts it) and Spark (transpiled). A cell sums every retailer of its spec, so all cells
-- of a touched spec from that week are rebuilt.
-- A cell of week w holds the retailers assigned to it in week w: this week's stock, sales
-- and prices of those whose sales are known, and every one's own sales over w−3 .. w
-- (cells whose retailers sold in w−3 .. w−1 only have retailers = 0 and sales_4w alone).

with

touched_spec as (
    select spec_code, cast(min(date_trunc('week', from_date)) as date) as from_week
    from touched_pair
    group by spec_code
)

select
    o.week,
    o.spec_code,
    o.department_code,
    o.territory_code,
    o.cm_code,
    o.format,
    o.tier_band,
    o.area_type,
    count(o.sales_qty)::integer as retailers,
    coalesce(sum(o.stock_qty), 0) as stock_qty,
    coalesce(sum(o.sales_qty), 0) as sales_qty,
    coalesce(sum(o.sales_qty) filter (where o.retail_price is not null and o.sales_qty > 0), 0)
        as priced_sales_qty,
    coalesce(sum(o.retail_price * o.sales_qty) filter (where o.retail_price is not null and o.sales_qty > 0), 0)
        as retail_value,
    sum(o.sales_4w) as sales_4w,
    bit_or(o.weeks_known) as weeks_known,
from trailing_sales as o
join touched_spec as t
    on o.spec_code = t.spec_code
    and o.week >= t.from_week
group by all
