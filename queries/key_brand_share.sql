-- One row per level key × product group × week: 重点品牌比重 (key-brand share of sales).
-- What share of the week's sales came from key brands (重点品牌), against the same ISO
-- week of last year (同期)? A ratio of sums, never a mean of the children's shares.
--
-- Over the observations (retailer × spec × week) whose week sales are known:
--   key_brand_share = Σ sales of specs with is_key_brand ÷ Σ sales of all specs
--   (null when nothing sold). The same period (同期) is the same ISO week number of ISO
--   year − 1 (for week 53 of a year whose previous year has 52 weeks: none, null); its
--   weeks are read even when they lie before week_from.
--   At product level brand or spec the share is 0 or 1 by construction; the useful
--   product levels are all and price_class (key brands' share within each 价类).
--
-- Parameters:
--   $level          city | department | territory | cm | retailer
--   $product_level  all | price_class | brand | spec
--   $week_from, $week_to   first and last week (Mondays; any day means its week), inclusive
--   $format, $tier_band, $area_type, $brand, $price_class, $spec_code   filters, null = all
-- Columns:
--   week                date     Monday of the ISO week
--   level_key           varchar  code at the level ('city' for the whole city)
--   level_name          varchar  its Chinese name
--   product_key         varchar  'all', the 价类, the brand or the spec code
--   sales_qty           double   Σ sales of the week, 条
--   key_sales_qty       double   of which key brands, 条
--   key_brand_share     double   key_sales_qty ÷ sales_qty (0–1); null if nothing sold
--   same_period_week    date     Monday of the same ISO week last year (null: none)
--   sp_sales_qty        double   sales of the same period, 条
--   sp_key_sales_qty    double   of which key brands, 条
--   sp_key_brand_share  double   the same period's share (0–1)
--   share_change        double   key_brand_share − sp_key_brand_share (fraction points)

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
        o.is_key_brand,
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
        coalesce(sum(sales_qty) filter (where is_key_brand), 0) as key_sales_qty,
    from observation
    group by all
),

report_week as (
    select
        lw.*,
        lw.key_sales_qty / nullif(lw.sales_qty, 0) as key_brand_share,
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
        r.key_sales_qty,
        r.key_brand_share,
        case
            when isoyear(r.same_period_candidate) = isoyear(r.week) - 1 then r.same_period_candidate
        end as same_period_week,
        sp.sales_qty as sp_sales_qty,
        sp.key_sales_qty as sp_key_sales_qty,
        sp.key_sales_qty / nullif(sp.sales_qty, 0) as sp_key_brand_share,
        r.key_brand_share - sp.key_sales_qty / nullif(sp.sales_qty, 0) as share_change,
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
