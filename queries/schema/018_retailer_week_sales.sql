-- Store schema, version 18: retailer_week_sales, one row per retailer × week of its lines with
-- known sales, summed over its specs: stock, sales, and the sales valued at the actual and at
-- the suggested retail price in force that week. 零售户异常 (alerts) compares each retailer's
-- cover and price level with its peers' every week of a run traced back up to two years; from
-- weekly_observation that is a year of every retailer's every spec per view (10M rows a year
-- at city scale), from here 8,000 rows a week. The first roll-up holding a price: a specs
-- file that changes one (调价) rebuilds the weeks from its effective date
-- (rollup.refresh_prices).

create table if not exists retailer_week_sales (
    week             date not null,
    license_no       varchar not null,
    department_code  varchar not null,
    territory_code   varchar not null,
    cm_code          varchar not null,
    format           varchar not null,
    tier_band        varchar not null,
    area_type        varchar not null,
    stock_qty        decimal(38, 2),   -- Σ stock at the week's last visit, lines with known sales
    sales_qty        decimal(38, 2),   -- Σ known sales
    retail_value     decimal(38, 4),   -- Σ actual price × sales, priced lines that sold
    suggested_value  decimal(38, 4)    -- Σ suggested price in force × sales, the same lines
);

-- a store of an earlier version: its rows from the roll-ups it holds (rollup/retailer_week_sales.sql
-- keeps them from here on)
insert into retailer_week_sales by name
select
    o.week, o.license_no, o.department_code, o.territory_code, o.cm_code, o.format, o.tier_band, o.area_type,
    sum(o.stock_qty) as stock_qty,
    sum(o.sales_qty) as sales_qty,
    sum(o.retail_price * o.sales_qty) filter (where o.retail_price is not null and o.sales_qty > 0) as retail_value,
    sum(coalesce(p.suggested_retail_price, s.suggested_retail_price) * o.sales_qty)
        filter (where o.retail_price is not null and o.sales_qty > 0) as suggested_value,
from weekly_observation as o
join spec as s on s.spec_code = o.spec_code
left join spec_price as p
    on p.spec_code = o.spec_code and p.valid_from <= o.week and (p.valid_to is null or o.week < p.valid_to)
where o.sales_qty is not null
group by all
order by o.week;
