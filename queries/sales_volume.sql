-- One row per level key × product group × week: sales volume (销量, 条) and value.
-- How much sold this week, and at what wholesale value, against last week (环比) and the
-- same ISO week of last year (同期) — the figures behind the pages' KPI cards.
--
-- Over the observations (retailer × spec × week) whose week sales are known
-- (DESIGN.md §2; unknown sales are left out, never counted as 0):
--   sales_qty   = Σ sales, 条;  sales_value = Σ sales × the spec's wholesale price, 元.
--   The previous week is week − 7 days; the same period (同期) is the same ISO week number
--   of ISO year − 1 (for week 53 of a year whose previous year has 52 weeks: none, null).
--   Comparisons are made at the same level key and product group; their weeks are read
--   even when they lie before week_from.
--
-- Parameters:
--   $level          city | department | territory | cm | retailer
--   $product_level  all | price_class | brand | spec
--   $week_from, $week_to   first and last week (Mondays; any day means its week), inclusive
--   $format, $tier_band, $area_type, $brand, $price_class, $spec_code   filters, null = all
-- Columns:
--   week                    date     Monday of the ISO week
--   level_key               varchar  code at the level ('city' for the whole city)
--   level_name              varchar  its Chinese name
--   product_key             varchar  'all', the 价类, the brand or the spec code
--   product_name            varchar  the spec's name at spec level, else product_key
--   sales_qty               double   Σ sales of the week, 条
--   sales_value             double   Σ sales × wholesale price, 元
--   prev_week_sales_qty     double   the same for week − 7 days, 条 (null: no known sales)
--   prev_week_sales_value   double   元
--   wow_growth              double   sales_qty ÷ prev_week_sales_qty − 1 (null if undefined)
--   same_period_week        date     Monday of the same ISO week last year (null: none)
--   sp_sales_qty            double   sales of the same period, 条
--   sp_sales_value          double   元
--   sp_growth               double   sales_qty ÷ sp_sales_qty − 1 (null if undefined)
--   sp_value_growth         double   sales_value ÷ sp_sales_value − 1 (null if undefined)

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
        o.product_key,
        o.sales_qty::double as sales_qty,
        (o.sales_qty * o.wholesale_price)::double as sales_value,
    from ref('base/observation_at_level', lookback_weeks='53') as o
    cross join params as p
    -- the same ISO week of last year lies 52 or 53 weeks back
    where o.week between p.week_from - interval 53 weeks and p.week_to
      and o.sales_qty is not null
),

level_week as (
    select
        week,
        level_key,
        product_key,
        sum(sales_qty) as sales_qty,
        sum(sales_value) as sales_value,
    from observation
    group by all
),

report_week as (
    select
        lw.*,
        date_trunc('week', make_date((isoyear(lw.week) - 1)::integer, 1, 4))::date
            + (weekofyear(lw.week)::integer - 1) * 7 as same_period_candidate,
    from level_week as lw
    cross join params as p
    where lw.week between p.week_from and p.week_to
),

level_name as (
    select 'city' as level, 'city' as level_key, '全市' as level_name
    union all select 'department', department_code, department_name from department
    union all select 'territory', territory_code, territory_name from territory
    union all select 'cm', cm_code, cm_name from customer_manager
    union all select 'retailer', license_no, retailer_name from retailer
),

final as (
    select
        r.week,
        r.level_key,
        n.level_name,
        r.product_key,
        coalesce(s.spec_name, r.product_key) as product_name,
        r.sales_qty,
        r.sales_value,
        prev.sales_qty as prev_week_sales_qty,
        prev.sales_value as prev_week_sales_value,
        r.sales_qty / nullif(prev.sales_qty, 0) - 1 as wow_growth,
        case
            when isoyear(r.same_period_candidate) = isoyear(r.week) - 1 then r.same_period_candidate
        end as same_period_week,
        sp.sales_qty as sp_sales_qty,
        sp.sales_value as sp_sales_value,
        r.sales_qty / nullif(sp.sales_qty, 0) - 1 as sp_growth,
        r.sales_value / nullif(sp.sales_value, 0) - 1 as sp_value_growth,
    from report_week as r
    left join level_week as prev
        on prev.level_key = r.level_key
        and prev.product_key = r.product_key
        and prev.week = r.week - 7
    left join level_week as sp
        on sp.level_key = r.level_key
        and sp.product_key = r.product_key
        and sp.week = r.same_period_candidate
        and isoyear(r.same_period_candidate) = isoyear(r.week) - 1
    left join level_name as n on n.level = $level and n.level_key = r.level_key
    left join spec as s on $product_level = 'spec' and s.spec_code = r.product_key
)

select * from final
order by week, level_key, product_key
