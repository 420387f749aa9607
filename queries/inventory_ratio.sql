-- One row per level key × week: 存销比 (inventory-to-sales ratio, weeks of cover).
-- How many weeks would the stock counted this week last at the average weekly sales of
-- the last four weeks? Ratio of sums (Σ stock ÷ Σ trailing sales), never a mean of ratios.
--
-- Both sides cover the same retailers (DESIGN.md §2): those assigned to the level key in
-- week w, each with its own sales over w−3 .. w wherever those weeks were credited. A
-- retailer that moved 片区 two weeks ago brings its last four weeks along, and the 片区 it
-- left stops counting them. Read from trailing_sales (retailer × spec × week, attributed to
-- week w's assignment) or its sums per cell (market_cell, cover_cm_week: see `cell` below);
-- filters on 业态, 档位 band and 城网/农网 take week w's attributes.
--
-- Over the observations (retailer × spec × week) whose week sales are known:
--   stock_qty = Σ stock, sales_qty = Σ sales of the level's retailers in week w;
--   avg_weekly_sales_4w = Σ those retailers' sales over w−3 .. w ÷ the number of those four
--   weeks in which any of them has known sales (a week in which none has is left out of
--   the mean, not counted as 0);
--   ratio = stock_qty ÷ avg_weekly_sales_4w, null when that is 0 (no sales: shown "—").
-- A level key has a row in week w when any of its retailers has known sales that week.
--
-- Parameters:
--   $level      city | department | territory | cm | retailer | brand | price_class | spec
--   $week_from, $week_to   first and last week (Mondays; any day means its week), inclusive
--   $format, $tier_band, $area_type, $brand, $price_class, $spec_code   filters, null = all
-- Columns:
--   week                 date     Monday of the ISO week
--   level_key            varchar  code at the level ('city' for the whole city)
--   level_name           varchar  its Chinese name (brand and price class name themselves)
--   stock_qty            double   Σ closing stock, 条
--   sales_qty            double   Σ sales of the week, 条
--   avg_weekly_sales_4w  double   mean weekly sales over w−3 .. w of the same retailers, 条
--   weeks_in_average     integer  how many of those four weeks had observations
--   ratio                double   stock_qty ÷ avg_weekly_sales_4w, weeks; null if undefined

with

params as (
    select
        date_trunc('week', $week_from::date)::date as week_from,
        date_trunc('week', $week_to::date)::date as week_to,
),

-- the cells that answer (aggregate awareness; the unused branches are pruned when planned):
-- the retailer level reads trailing_sales itself, a customer-group filter market_cell (which
-- keeps the group), else cover_cm_week; each sums trailing_sales' rows, exactly, in decimals
cell as (
    select
        c.week, c.spec_code, c.department_code, c.territory_code, c.cm_code, null::varchar as license_no,
        c.stock_qty, c.sales_qty, c.sales_4w, c.weeks_known,
    from cover_cm_week as c
    where $level <> 'retailer'
      and $format is null and $tier_band is null and $area_type is null

    union all

    select
        c.week, c.spec_code, c.department_code, c.territory_code, c.cm_code, null::varchar as license_no,
        c.stock_qty, c.sales_qty, c.sales_4w, c.weeks_known,
    from market_cell as c
    where $level <> 'retailer'
      and not ($format is null and $tier_band is null and $area_type is null)
      and ($format is null or c.format = $format)
      and ($tier_band is null or c.tier_band = $tier_band)
      and ($area_type is null or c.area_type = $area_type)

    union all

    select
        o.week, o.spec_code, o.department_code, o.territory_code, o.cm_code, o.license_no,
        o.stock_qty, o.sales_qty, o.sales_4w, o.weeks_known,
    from trailing_sales as o
    where $level = 'retailer'
      and ($format is null or o.format = $format)
      and ($tier_band is null or o.tier_band = $tier_band)
      and ($area_type is null or o.area_type = $area_type)
),

observation as (
    select
        o.week,
        case $level
            when 'city' then 'city'
            when 'department' then o.department_code
            when 'territory' then o.territory_code
            when 'cm' then o.cm_code
            when 'retailer' then o.license_no
            when 'brand' then s.brand
            when 'price_class' then s.price_class
            when 'spec' then o.spec_code
            else error('未知层级 / unknown level: ' || $level)
        end as level_key,
        o.stock_qty,
        o.sales_qty,
        o.sales_4w,
        o.weeks_known,
    from cell as o
    join spec as s using (spec_code)
    cross join params as p
    where o.week between p.week_from and p.week_to
      and ($brand is null or s.brand = $brand)
      and ($price_class is null or s.price_class = $price_class)
      and ($spec_code is null or o.spec_code = $spec_code)
),

level_week as (
    select
        week,
        level_key,
        sum(stock_qty)::double as stock_qty,  -- rows without known sales this week hold nulls (cells 0) here
        sum(sales_qty)::double as sales_qty,
        sum(sales_4w)::double as sales_4w,
        bit_or(weeks_known) as weeks_known,
    from observation
    group by all
),

final as (
    select
        t.week,
        t.level_key,
        n.level_name,
        t.stock_qty,
        t.sales_qty,
        t.sales_4w / bit_count(t.weeks_known) as avg_weekly_sales_4w,
        bit_count(t.weeks_known)::integer as weeks_in_average,
        t.stock_qty / nullif(t.sales_4w / bit_count(t.weeks_known), 0) as ratio,
    from level_week as t
    left join ref('base/level_names') as n on n.level = $level and n.level_key = t.level_key
    where t.weeks_known & 1 = 1  -- bit 0: sales known in week w itself
)

select * from final
order by week, level_key
