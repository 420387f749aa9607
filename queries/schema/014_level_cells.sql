-- Store schema, version 14: the page-grain roll-ups of weekly_observation, so that a page's
-- sums cost what it draws (spec × week × customer manager), not how many retailers exist.
-- Built by queries/rollup/spec_cells.sql after weekly_observation; never edited by hand.
--
-- Two grains, read through queries/base/cell_at_level.sql (aggregate awareness):
--   spec_group_week  spec × week × 市场部 × 片区 × 客户经理 × customer group (业态, 档位 band,
--                    城网/农网): read when a customer-group filter is set;
--   spec_cm_week     the same without the customer group (about ten times fewer rows):
--                    read when none is set, the common case.
-- A retailer lies in one cell per week (its assignment on the week's Monday), so counts
-- of observations are exact at every level above the retailer; the retailer level reads
-- weekly_observation itself. Both carry department_code, territory_code and cm_code, so a
-- scope cuts them as it cuts weekly_observation (marketpulse/store/scope.py).
-- Sums over no known value are null, as the sums over the observations would be.
-- Unique on their keys by construction; no index (see version 6). Re-runnable.

create table if not exists spec_group_week (
    week                date not null,     -- Monday of the ISO week
    spec_code           varchar not null,
    department_code     varchar not null,
    territory_code      varchar not null,
    cm_code             varchar not null,
    format              varchar not null,  -- 业态
    tier_band           varchar not null,  -- 档位 band
    area_type           varchar not null,  -- 城网/农网
    observations        integer not null,  -- weekly_observation rows (retailers)
    known_sales         integer not null,  -- of those, with known week sales
    sales_qty           decimal(18, 2),    -- Σ known sales, 条; null: none known
    priced_observations integer not null,  -- with a retail price and sales > 0
    priced_sales_qty    decimal(18, 2),    -- Σ sales of those, 条
    retail_value        decimal(24, 4),    -- Σ retail_price · sales of those, 元
    price_observations  integer not null,  -- with a retail price (any sales)
    retail_price_sum    decimal(18, 2),    -- Σ retail_price of those, 元/条
    demand_qty          decimal(18, 2) not null,  -- Σ ordered, 条
    supplied_qty        decimal(18, 2) not null,  -- Σ supplied, 条
    order_lines         integer not null,
    filled_order_lines  integer not null,
    visit_lines         integer not null
);

create table if not exists spec_cm_week (
    week                date not null,
    spec_code           varchar not null,
    department_code     varchar not null,
    territory_code      varchar not null,
    cm_code             varchar not null,
    observations        integer not null,
    known_sales         integer not null,
    sales_qty           decimal(18, 2),
    priced_observations integer not null,
    priced_sales_qty    decimal(18, 2),
    retail_value        decimal(24, 4),
    price_observations  integer not null,
    retail_price_sum    decimal(18, 2),
    demand_qty          decimal(18, 2) not null,
    supplied_qty        decimal(18, 2) not null,
    order_lines         integer not null,
    filled_order_lines  integer not null,
    visit_lines         integer not null
);

-- 存销比's sums (queries/inventory_ratio.sql) at the same coarse grain: market_cell (which
-- keeps the customer group, read when a customer-group filter is set) without the customer
-- group. Built from market_cell by queries/rollup/spec_cells.sql.
create table if not exists cover_cm_week (
    week            date not null,
    spec_code       varchar not null,
    department_code varchar not null,
    territory_code  varchar not null,
    cm_code         varchar not null,
    stock_qty       decimal(18, 2) not null,  -- Σ closing stock of the observations with known sales, 条
    sales_qty       decimal(18, 2) not null,  -- Σ their sales of the week, 条
    sales_4w        decimal(18, 2) not null,  -- Σ own sales of w−3 .. w of the retailers assigned in week w
    weeks_known     utinyint not null         -- bit_or of weeks_known (bit k: sales of w − k known)
);

-- A store written before this version: fill the tables from weekly_observation and
-- market_cell, as `rebuild` would.
insert into spec_group_week by name
select
    week,
    spec_code,
    department_code,
    territory_code,
    cm_code,
    format,
    tier_band,
    area_type,
    count(*)::integer as observations,
    count(sales_qty)::integer as known_sales,
    sum(sales_qty) as sales_qty,
    count(*) filter (where retail_price is not null and sales_qty > 0)::integer as priced_observations,
    sum(sales_qty) filter (where retail_price is not null and sales_qty > 0) as priced_sales_qty,
    sum(retail_price * sales_qty) filter (where retail_price is not null and sales_qty > 0) as retail_value,
    count(retail_price)::integer as price_observations,
    sum(retail_price) as retail_price_sum,
    sum(demand_qty) as demand_qty,
    sum(supplied_qty) as supplied_qty,
    sum(order_lines)::integer as order_lines,
    sum(filled_order_lines)::integer as filled_order_lines,
    sum(visit_lines)::integer as visit_lines,
from weekly_observation
where not exists (select 1 from spec_group_week)
group by all
order by week, spec_code;

insert into spec_cm_week by name
select
    week,
    spec_code,
    department_code,
    territory_code,
    cm_code,
    sum(observations)::integer as observations,
    sum(known_sales)::integer as known_sales,
    sum(sales_qty) as sales_qty,
    sum(priced_observations)::integer as priced_observations,
    sum(priced_sales_qty) as priced_sales_qty,
    sum(retail_value) as retail_value,
    sum(price_observations)::integer as price_observations,
    sum(retail_price_sum) as retail_price_sum,
    sum(demand_qty) as demand_qty,
    sum(supplied_qty) as supplied_qty,
    sum(order_lines)::integer as order_lines,
    sum(filled_order_lines)::integer as filled_order_lines,
    sum(visit_lines)::integer as visit_lines,
from spec_group_week
where not exists (select 1 from spec_cm_week)
group by all
order by week, spec_code;

insert into cover_cm_week by name
select
    week,
    spec_code,
    department_code,
    territory_code,
    cm_code,
    sum(stock_qty) as stock_qty,
    sum(sales_qty) as sales_qty,
    sum(sales_4w) as sales_4w,
    bit_or(weeks_known) as weeks_known,
from market_cell
where not exists (select 1 from cover_cm_week)
group by all
order by week, spec_code;
