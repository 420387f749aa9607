-- One row per level key × product group × week: 单条均价 (average price per carton).
-- Is the sales structure moving up (结构提升)? Sales value at wholesale price ÷ sales
-- volume, against the same ISO week of last year (同期). A ratio of sums: a level's
-- average is weighted by what sold, never a mean of its children's averages.
--
-- Over the observations (retailer × spec × week) whose week sales are known:
--   avg_price_per_carton = Σ sales × wholesale price ÷ Σ sales, 元/条 (null when nothing
--   sold). The same period (同期) is the same ISO week number of ISO year − 1 (for week 53
--   of a year whose previous year has 52 weeks: none, null); its weeks are read even when
--   they lie before week_from. Today's wholesale price is applied to both years, so the
--   comparison shows the change in mix, not in price lists.
--
-- Parameters:
--   $level          city | department | territory | cm | retailer
--   $product_level  all | price_class | brand | spec
--   $week_from, $week_to   first and last week (Mondays; any day means its week), inclusive
--   $format, $tier_band, $area_type, $brand, $price_class, $spec_code   filters, null = all
-- Columns:
--   week                     date     Monday of the ISO week
--   level_key                varchar  code at the level ('city' for the whole city)
--   level_name               varchar  its Chinese name
--   product_key              varchar  'all', the 价类, the brand or the spec code
--   sales_qty                double   Σ sales, 条
--   sales_value              double   Σ sales × wholesale price, 元
--   avg_price_per_carton     double   sales_value ÷ sales_qty, 元/条
--   same_period_week         date     Monday of the same ISO week last year (null: none)
--   sp_sales_qty             double   sales of the same period, 条
--   sp_sales_value           double   元
--   sp_avg_price_per_carton  double   the same period's average, 元/条
--   sp_growth                double   avg_price_per_carton ÷ sp_avg_price_per_carton − 1

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
        r.sales_qty,
        r.sales_value,
        r.sales_value / nullif(r.sales_qty, 0) as avg_price_per_carton,
        case
            when isoyear(r.same_period_candidate) = isoyear(r.week) - 1 then r.same_period_candidate
        end as same_period_week,
        sp.sales_qty as sp_sales_qty,
        sp.sales_value as sp_sales_value,
        sp.sales_value / nullif(sp.sales_qty, 0) as sp_avg_price_per_carton,
        (r.sales_value / nullif(r.sales_qty, 0)) / nullif(sp.sales_value / nullif(sp.sales_qty, 0), 0) - 1 as sp_growth,
    from report_week as r
    left join level_week as sp
        on sp.level_key = r.level_key
        and sp.product_key = r.product_key
        and sp.week = r.same_period_candidate
        and isoyear(r.same_period_candidate) = isoyear(r.week) - 1
    left join level_name as n on n.level = $level and n.level_key = r.level_key
)

select * from final
order by week, level_key, product_key
