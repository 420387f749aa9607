-- Store schema, version 8: each retailer's own trailing four weeks of sales, behind 存销比
-- (inventory_ratio) and the cover signal of 市场状态 (market_state, through market_cell).
-- Built by queries/rollup/trailing_sales.sql and market_cell.sql; never edited by hand.
--
-- Both sides of 存销比 cover the same retailers: those assigned to the level in week w, each
-- with its own sales over w−3 .. w (DESIGN.md §2). weekly_observation credits a week to the
-- 片区 of that week, so after a retailer moves, its earlier weeks sit under the old 片区;
-- these tables carry them to the level the retailer belongs to in week w.

-- One row per retailer × spec × ISO week w in which the pair has known sales in any of the
-- weeks w−3 .. w (so up to three weeks past its last known sales). Attribution (市场部, 片区,
-- 客户经理, 业态, 档位) is the retailer's assignment on week w's Monday.
create table trailing_sales (
    week            date not null,     -- Monday of the ISO week w
    license_no      varchar not null,
    spec_code       varchar not null,
    department_code varchar not null,
    territory_code  varchar not null,
    cm_code         varchar not null,
    format          varchar not null,
    tier            integer not null,
    tier_band       varchar not null,
    area_type       varchar not null,
    stock_qty       decimal(12, 2),    -- closing stock of week w when its sales are known; else null
    sales_qty       decimal(12, 2),    -- sales of week w when known; else null
    retail_price    decimal(10, 2),    -- actual retail price of week w when its sales are known
    sales_4w        decimal(14, 2) not null,  -- Σ known sales of w−3 .. w, wherever they were credited
    weeks_known     utinyint not null  -- bit k set: the sales of week w − k are known (k = 0 .. 3)
);
-- Unique on (week, license_no, spec_code) by construction; no index (see version 6).

-- market_cell now holds, per cell and week w, the retailers assigned to it in week w: rows
-- whose retailers sold only in w−3 .. w−1 appear with retailers = 0 and sales_4w alone.
alter table market_cell add column sales_4w decimal(18, 2) not null default 0;  -- Σ own sales of w−3 .. w
alter table market_cell add column weeks_known utinyint not null default 0;  -- bit_or of weeks_known

-- A store written before this version: fill both from weekly_observation, as `rebuild`
-- would (the builders' statements, for every pair).
insert into trailing_sales by name
with

spread as (
    select
        (o.week + to_days(7 * l.lag::integer))::date as week,
        o.license_no,
        o.spec_code,
        case when l.lag = 0 then o.stock_qty end as stock_qty,
        case when l.lag = 0 then o.sales_qty end as sales_qty,
        case when l.lag = 0 then o.retail_price end as retail_price,
        o.sales_qty as sales,
        (1 << l.lag)::utinyint as bit,
    from weekly_observation as o
    cross join range(4) as l(lag)
    where o.sales_qty is not null
),

pair_week as (
    select
        week,
        license_no,
        spec_code,
        any_value(stock_qty) filter (where bit = 1) as stock_qty,
        any_value(sales_qty) filter (where bit = 1) as sales_qty,
        any_value(retail_price) filter (where bit = 1) as retail_price,
        sum(sales) as sales_4w,
        bit_or(bit) as weeks_known,
    from spread
    group by week, license_no, spec_code
)

select
    pw.*,
    ter.department_code,
    coalesce(a.territory_code, r.territory_code) as territory_code,
    coalesce(a.cm_code, r.cm_code) as cm_code,
    coalesce(a.format, r.format) as format,
    coalesce(a.tier, r.tier) as tier,
    band.tier_band,
    coalesce(r.area_type, ter.area_type) as area_type,
from pair_week as pw
join retailer as r using (license_no)
asof left join retailer_assignment as a
    on pw.license_no = a.license_no
    and pw.week >= a.valid_from
join territory as ter on ter.territory_code = coalesce(a.territory_code, r.territory_code)
join tier_band as band on coalesce(a.tier, r.tier) between band.tier_from and band.tier_to;

delete from market_cell;

insert into market_cell by name
select
    week,
    spec_code,
    department_code,
    territory_code,
    cm_code,
    format,
    tier_band,
    area_type,
    count(sales_qty)::integer as retailers,
    coalesce(sum(stock_qty), 0) as stock_qty,
    coalesce(sum(sales_qty), 0) as sales_qty,
    coalesce(sum(sales_qty) filter (where retail_price is not null and sales_qty > 0), 0) as priced_sales_qty,
    coalesce(sum(retail_price * sales_qty) filter (where retail_price is not null and sales_qty > 0), 0)
        as retail_value,
    sum(sales_4w) as sales_4w,
    bit_or(weeks_known) as weeks_known,
from trailing_sales
group by all;
