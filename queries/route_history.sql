-- One row per retailer × spec × week: one retailer's spec history (stock, sales, price) for
-- the customer manager's page, tapped from its card.
--
-- Parameters:
--   $license_no  the retailer; null = every retailer in scope
--   $week_from, $week_to   first and last week (Mondays; any day means its week), inclusive
-- Columns:
--   week             date
--   license_no, spec_code, spec_name   varchar
--   stock_qty, sales_qty, retail_price   double   stock counted at the week's last visit, the
--                    week's sales when known, the actual price (元/条); null when not observed

select
    o.week,
    o.license_no,
    o.spec_code,
    s.spec_name,
    o.stock_qty::double as stock_qty,
    o.sales_qty::double as sales_qty,
    o.retail_price::double as retail_price,
from weekly_observation as o
join spec as s using (spec_code)
where ($license_no is null or o.license_no = $license_no)
  and o.week between date_trunc('week', $week_from::date)::date and date_trunc('week', $week_to::date)::date
order by o.license_no, o.spec_code, o.week
