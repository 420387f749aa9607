-- The rows of retailer_week_sales (one per retailer × week with a line whose sales are known)
-- for the retailers in touched_retailer(license_no, from_date), from the week of from_date on,
-- after weekly_observation is current. One text for DuckDB (rollup/retailer_week_sales.sql
-- inserts it) and Spark (transpiled). The suggested price of a week is the spec_price period
-- holding its Monday, else the spec's own (as base/spec_price_in_week).

select
    o.week,
    o.license_no,
    o.department_code,
    o.territory_code,
    o.cm_code,
    o.format,
    o.tier_band,
    o.area_type,
    sum(o.stock_qty) as stock_qty,
    sum(o.sales_qty) as sales_qty,
    sum(o.retail_price * o.sales_qty) filter (where o.retail_price is not null and o.sales_qty > 0)
        as retail_value,
    sum(coalesce(p.suggested_retail_price, s.suggested_retail_price) * o.sales_qty)
        filter (where o.retail_price is not null and o.sales_qty > 0) as suggested_value,
from weekly_observation as o
join touched_retailer as t
    on t.license_no = o.license_no
    and o.week >= date_trunc('week', t.from_date)
join spec as s on s.spec_code = o.spec_code
left join spec_price as p
    on p.spec_code = o.spec_code
    and p.valid_from <= o.week
    and (p.valid_to is null or o.week < p.valid_to)
where o.sales_qty is not null
group by o.week, o.license_no, o.department_code, o.territory_code, o.cm_code, o.format, o.tier_band, o.area_type
