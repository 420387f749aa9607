-- One row per level key × week: 存销比 (inventory-to-sales ratio, weeks of cover).
-- How many weeks would the stock counted this week last at the average weekly sales of
-- the last four weeks? Ratio of sums (Σ stock ÷ mean of Σ sales), never a mean of ratios.
--
-- Over the observations (retailer × spec × week) whose week sales are known:
--   stock_qty = Σ stock, sales_qty = Σ sales of the level in the week;
--   avg_weekly_sales_4w = mean of the level's sales_qty over weeks w−3 .. w that have
--   any such observation (so the three weeks before week_from are read too);
--   ratio = stock_qty ÷ avg_weekly_sales_4w, null when that is 0 (no sales: shown "—").
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
--   avg_weekly_sales_4w  double   mean weekly sales over w−3 .. w, 条
--   weeks_in_average     integer  how many of those four weeks had observations
--   ratio                double   stock_qty ÷ avg_weekly_sales_4w, weeks; null if undefined

with

params as (
    select
        date_trunc('week', $week_from::date)::date as week_from,
        date_trunc('week', $week_to::date)::date as week_to,
),

observation as (
    select
        o.week,
        o.level_key,
        o.stock_qty::double as stock_qty,
        o.sales_qty::double as sales_qty,
    from ref('base/observation_at_level', lookback_weeks='3', product_level='all') as o
    cross join params as p
    where o.week between p.week_from - interval 21 days and p.week_to
      and o.sales_qty is not null
),

level_week as (
    select
        week,
        level_key,
        sum(stock_qty) as stock_qty,
        sum(sales_qty) as sales_qty,
    from observation
    group by all
),

four_weeks as (
    select
        *,
        avg(sales_qty) over last_4_weeks as avg_weekly_sales_4w,
        count(*) over last_4_weeks as weeks_in_average,
    from level_week
    window last_4_weeks as (
        partition by level_key order by week
        range between interval 21 days preceding and current row
    )
),

final as (
    select
        t.week,
        t.level_key,
        n.level_name,
        t.stock_qty,
        t.sales_qty,
        t.avg_weekly_sales_4w,
        t.weeks_in_average::integer as weeks_in_average,
        t.stock_qty / nullif(t.avg_weekly_sales_4w, 0) as ratio,
    from four_weeks as t
    cross join params as p
    left join ref('base/level_names') as n on n.level = $level and n.level_key = t.level_key
    where t.week between p.week_from and p.week_to
)

select * from final
order by week, level_key
