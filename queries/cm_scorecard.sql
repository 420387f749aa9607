-- One row per customer manager (or other level key) for the period: 客户经理工作质量.
-- How well did each customer manager cover, report on and grow their retailers over
-- week_from … week_to (怎样来衡量客户经理的工作质量)? Every rate is a ratio of sums over the
-- period, so a territory's rate is not the mean of its customer managers' rates.
--
-- Definitions (DESIGN.md §2, issue 4 §9), decided here where they were open:
--   planned_visits   one per retailer-week in which the retailer was open and assigned to
--                    the level (retailer_week; 每周拜访全覆盖). Closed weeks are not planned.
--   visits_made      planned retailer-weeks with at least one visit report (by anyone), so
--                    a second visit in the same week does not make up for a missed one.
--   unvisited_retailers  retailers open at week_to that have gone N planned weeks in a row
--                    without a visit, N = setting `unvisited_weeks` (default 2): no visit
--                    report (by anyone) since the Monday of the first of the N weeks ending at
--                    week_to, and open in all N of them (a planned week is a week the retailer
--                    was open). A retailer never visited counts once it was open N weeks and the
--                    store holds facts for all N.
--   on_time_rate     visits reported within the 7-day cycle, with slack: of the period's
--                    visits that have a previous visit, the share that follow it by at most
--                    setting `visit_max_gap_days` days (default 9: a week plus two days, so a
--                    Tuesday visit after last Monday's is on time). Both rules: base/visit_rules.
--   copy_suspect_rate  share of the period's visits flagged copy_suspect in retailer_visit
--                    (≥ 5 specs counted, all equal to the previous count, although sales or
--                    supplied orders happened in between: 照搬照抄).
--   Visit-based counts (visit_reports, on-time, copy-suspect) belong to the customer
--   manager who filed the report; coverage, sales and orders to the one assigned that week.
--   sales_growth     like for like: sales of the period's weeks that have a same period in
--                    the store ÷ sales of those same-period weeks − 1. The same period of a
--                    week is the same ISO week of ISO year − 1 (none for a week 53 without a
--                    match); weeks whose same period lies before the store's first week
--                    are left out of both sides (comparable_weeks says how many remain).
--                    Last year's sales are attributed to the level as it stood then.
--   new_brand_distribution  over the period's weeks and the specs launched within the 52
--                    weeks ending at week_to (already launched in that week): carrying
--                    retailer-spec-weeks ÷ active retailer-spec-weeks (carrying as in
--                    new_brand_uptake's 铺货率: stock > 0, supplied > 0, sales > 0 or
--                    ordered that week). The new specs are base/new_spec's.
--   order_fill_rate  订单满足率 Σ supplied ÷ Σ demanded.
--   fulfilment_rate  订单履约率 filled orders ÷ orders: an order is all lines of one retailer
--                    on one order date (within the product filters), filled when every line
--                    was supplied in full; it counts toward the week of its order date.
--   line_fulfilment_rate  订单行履约率 order lines supplied in full ÷ order lines.
--   Retailer satisfaction is not measured: no satisfaction data is collected, so it is
--   left out rather than guessed.
-- Which grain answers: sales and order sums from the page-grain cells (base/cell_at_level);
-- orders from order_cm_week without a product filter above the retailer, else from the
-- period's observations with their order lines; coverage and reports from retailer_week
-- and retailer_visit; new-brand carrying from the period's observations of the new specs
-- (it needs each retailer's week, as new_brand_uptake does).
--
-- Parameters:
--   $level      cm (the scorecard) | territory | department | city | retailer
--   $week_from, $week_to   first and last week (Mondays; any day means its week), inclusive
--   $format, $tier_band, $area_type   retailer filters; $brand, $price_class, $spec_code
--               narrow sales, orders and new brands; null = all
-- Columns:
--   level_key               varchar  customer manager code (or the level's code; 'city')
--   level_name              varchar  its name
--   weeks                   integer  weeks in the period
--   retailers               bigint   retailers open and assigned at week_to
--   planned_visits          bigint   open, assigned retailer-weeks in the period
--   visits_made             bigint   of those, visited
--   visit_rate              double   visits_made ÷ planned_visits
--   unvisited_retailers     bigint   retailers not visited for unvisited_weeks planned weeks at week_to
--   visit_reports           bigint   visit reports filed in the period
--   on_time_visits          bigint   reports within max_gap_days of the retailer's previous visit
--   timed_visits            bigint   reports that have a previous visit
--   on_time_rate            double   on_time_visits ÷ timed_visits
--   copy_suspect_visits     bigint   reports flagged copy-suspect
--   copy_suspect_rate       double   copy_suspect_visits ÷ visit_reports
--   sales_qty               double   Σ known sales of the period, 条
--   comparable_weeks        integer  weeks of the period whose same period is in the store
--   comparable_sales_qty    double   Σ known sales of those weeks, 条
--   sp_sales_qty            double   Σ known sales of their same-period weeks last year, 条
--   sales_growth            double   comparable_sales_qty ÷ sp_sales_qty − 1
--   new_brand_carrying      bigint   carrying retailer-spec-weeks of new specs
--   new_brand_possible      bigint   active retailer-spec-weeks of new specs
--   new_brand_distribution  double   new_brand_carrying ÷ new_brand_possible
--   demand_qty              double   Σ demanded, 条
--   supplied_qty            double   Σ supplied, 条
--   order_fill_rate         double   supplied_qty ÷ demand_qty (订单满足率)
--   orders                  bigint   orders (retailer × order day)
--   filled_orders           bigint   of those, every line supplied in full
--   fulfilment_rate         double   filled_orders ÷ orders (订单履约率)
--   order_lines             bigint   order lines (retailer × spec × order day)
--   filled_order_lines      bigint   of those, supplied in full
--   line_fulfilment_rate    double   filled_order_lines ÷ order_lines (订单行履约率)
--   max_gap_days            integer  the on-time rule used (setting visit_max_gap_days)
--   unvisited_weeks         integer  the unvisited rule used (setting unvisited_weeks)

with

params as (
    select
        date_trunc('week', $week_from::date)::date as week_from,
        date_trunc('week', $week_to::date)::date as week_to,
        r.max_gap_days,
        r.unvisited_weeks,
        -- Monday of the first of the unvisited_weeks weeks ending at week_to
        date_trunc('week', $week_to::date)::date - 7 * (r.unvisited_weeks - 1) as unvisited_since,
    from ref('base/visit_rules') as r
),

period_week as (
    select * from ref('base/same_period_week')
),

same_period as (
    -- the same ISO week of last year, for the period's weeks that have one in the store
    select
        week as period_week,
        same_period_week as week,
    from period_week
    where same_period_week >= (select min(week) from retailer_week)
),

retailer_period as (
    select
        rw.*,
        case $level
            when 'city' then 'city'
            when 'department' then rw.department_code
            when 'territory' then rw.territory_code
            when 'cm' then rw.cm_code
            when 'retailer' then rw.license_no
            else error('未知层级 / unknown level: ' || $level)
        end as level_key,
    from retailer_week as rw
    cross join params as p
    where rw.week between p.week_from and p.week_to
      and ($format is null or rw.format = $format)
      and ($tier_band is null or rw.tier_band = $tier_band)
      and ($area_type is null or rw.area_type = $area_type)
),

coverage as (
    select
        rp.level_key,
        count(*) as planned_visits,
        count(*) filter (where rp.visits > 0) as visits_made,
    from retailer_period as rp
    cross join params as p
    where rp.week >= p.week_from
    group by all
),

latest as (
    -- open at week_to, hence in every week since it opened (a retailer opens and closes once)
    select
        cur.level_key,
        count(*) as retailers,
        count(*) filter (
            where cur.last_visit_date < p.unvisited_since
               or (cur.last_visit_date is null
                   and (r.opened_on is null or r.opened_on <= p.unvisited_since + 6)
                   and p.unvisited_since >= (select min(week) from retailer_week))
        ) as unvisited_retailers,
    from retailer_period as cur
    cross join params as p
    left join retailer as r on r.license_no = cur.license_no
    where cur.week = p.week_to
    group by all
),

report as (
    select
        case $level
            when 'city' then 'city'
            when 'department' then rv.department_code
            when 'territory' then rv.territory_code
            when 'cm' then rv.cm_code
            when 'retailer' then rv.license_no
        end as level_key,
        count(*) as visit_reports,
        count(*) filter (where rv.days_since_previous <= p.max_gap_days) as on_time_visits,
        count(rv.days_since_previous) as timed_visits,
        count(*) filter (where rv.copy_suspect) as copy_suspect_visits,
    from retailer_visit as rv
    cross join params as p
    where rv.week between p.week_from and p.week_to
      and ($format is null or rv.format = $format)
      and ($tier_band is null or rv.tier_band = $tier_band)
      and ($area_type is null or rv.area_type = $area_type)
    group by all
),

-- sales and order sums per level key × week, from the page-grain cells (base/cell_at_level:
-- spec × week × customer manager, or the retailer's own rows at the retailer level), for the
-- period and its same-period weeks a year back
level_week as (
    select
        c.week,
        c.level_key,
        sum(c.sales_qty) as sales_qty,
        sum(c.demand_qty) as demand_qty,
        sum(c.supplied_qty) as supplied_qty,
        sum(c.order_lines) as order_lines,
        sum(c.filled_order_lines) as filled_order_lines,
    from ref('base/cell_at_level', lookback_weeks='53', product_level='all') as c
    -- the period and its same weeks of last year (52 or 53 weeks back): constant bounds, so the
    -- scan skips the weeks between
    where c.week between date_trunc('week', $week_from::date)::date and date_trunc('week', $week_to::date)::date
       or (c.week between (date_trunc('week', $week_from::date) - interval 53 weeks)::date
                      and (date_trunc('week', $week_to::date) - interval 52 weeks)::date
           and c.week in (select week from same_period))
    group by all
),

trade as (
    select
        w.level_key,
        sum(w.sales_qty::double) filter (where w.week between p.week_from and p.week_to) as sales_qty,
        sum(w.sales_qty::double) filter (where w.week in (select period_week from same_period)) as comparable_sales_qty,
        sum(w.sales_qty::double) filter (where w.week in (select week from same_period)) as sp_sales_qty,
        sum(w.demand_qty::double) filter (where w.week between p.week_from and p.week_to) as demand_qty,
        sum(w.supplied_qty::double) filter (where w.week between p.week_from and p.week_to) as supplied_qty,
        sum(w.order_lines) filter (where w.week between p.week_from and p.week_to) as order_lines,
        sum(w.filled_order_lines) filter (where w.week between p.week_from and p.week_to) as filled_order_lines,
    from level_week as w
    cross join params as p
    group by all
),

-- orders (an order spans specs): without a product filter, above the retailer, from the
-- order cells (order_cm_week); otherwise from the period's observations with order lines,
-- which say which lines are in scope and filters and where they count (retailer grain, the
-- period's weeks only; the branch not taken is pruned when planned)
observation as (
    select
        o.*,
        case $level
            when 'city' then 'city'
            when 'department' then o.department_code
            when 'territory' then o.territory_code
            when 'cm' then o.cm_code
            when 'retailer' then o.license_no
        end as level_key,
    from weekly_observation as o
    join spec as s using (spec_code)
    where not ($brand is null and $price_class is null and $spec_code is null and $level <> 'retailer')
      and o.week between date_trunc('week', $week_from::date)::date and date_trunc('week', $week_to::date)::date
      and o.order_lines > 0
      and ($format is null or o.format = $format)
      and ($tier_band is null or o.tier_band = $tier_band)
      and ($area_type is null or o.area_type = $area_type)
      and ($brand is null or s.brand = $brand)
      and ($price_class is null or s.price_class = $price_class)
      and ($spec_code is null or o.spec_code = $spec_code)
),

retailer_order as (
    -- an order: one retailer's lines of one order date
    select
        o.level_key,
        l.license_no,
        l.order_date,
        bool_and(l.supplied_qty >= l.demand_qty) as filled,
    from observation as o
    join order_line as l
        on l.license_no = o.license_no
        and l.spec_code = o.spec_code
        and date_trunc('week', l.order_date) = o.week
    where l.order_date between date_trunc('week', $week_from::date)::date
                           and date_trunc('week', $week_to::date)::date + 6
    group by all
),

order_count as (
    select
        level_key,
        count(*) as orders,
        count(*) filter (where filled) as filled_orders,
    from retailer_order
    group by all

    union all

    select
        case $level
            when 'city' then 'city'
            when 'department' then o.department_code
            when 'territory' then o.territory_code
            when 'cm' then o.cm_code
        end as level_key,
        sum(o.orders) as orders,
        sum(o.filled_orders) as filled_orders,
    from order_cm_week as o
    where $brand is null and $price_class is null and $spec_code is null and $level <> 'retailer'
      and o.week between date_trunc('week', $week_from::date)::date and date_trunc('week', $week_to::date)::date
      and ($format is null or o.format = $format)
      and ($tier_band is null or o.tier_band = $tier_band)
      and ($area_type is null or o.area_type = $area_type)
    group by all
),

new_spec as (
    select * from ref('base/new_spec')
),

new_brand_possible as (
    select
        rp.level_key,
        count(*) as new_brand_possible,
    from retailer_period as rp
    cross join params as p
    join new_spec as n on rp.week >= n.launch_week
    where rp.week >= p.week_from
    group by all
),

new_brand_carrying as (
    select
        rp.level_key,
        count(*) as new_brand_carrying,
    from launch_observation as o  -- a new spec's weeks up to week_to: its launch year
    join new_spec as n on o.spec_code = n.spec_code and o.week >= n.launch_week
    join retailer_period as rp on rp.week = o.week and rp.license_no = o.license_no
    where o.week between date_trunc('week', $week_from::date)::date and date_trunc('week', $week_to::date)::date
      and (coalesce(o.stock_qty, 0) > 0 or o.supplied_qty > 0 or o.demand_qty > 0 or coalesce(o.sales_qty, 0) > 0)
    group by all
),

level_key as (
    select level_key from coverage
    union
    select level_key from report
    union
    select level_key from trade
),

final as (
    select
        k.level_key,
        n.level_name,
        (select count(*) from period_week)::integer as weeks,
        coalesce(l.retailers, 0) as retailers,
        coalesce(c.planned_visits, 0) as planned_visits,
        coalesce(c.visits_made, 0) as visits_made,
        c.visits_made / nullif(c.planned_visits, 0) as visit_rate,
        coalesce(l.unvisited_retailers, 0) as unvisited_retailers,
        coalesce(r.visit_reports, 0) as visit_reports,
        coalesce(r.on_time_visits, 0) as on_time_visits,
        coalesce(r.timed_visits, 0) as timed_visits,
        r.on_time_visits / nullif(r.timed_visits, 0) as on_time_rate,
        coalesce(r.copy_suspect_visits, 0) as copy_suspect_visits,
        r.copy_suspect_visits / nullif(r.visit_reports, 0) as copy_suspect_rate,
        t.sales_qty,
        (select count(*) from same_period)::integer as comparable_weeks,
        t.comparable_sales_qty,
        t.sp_sales_qty,
        t.comparable_sales_qty / nullif(t.sp_sales_qty, 0) - 1 as sales_growth,
        coalesce(nc.new_brand_carrying, 0) as new_brand_carrying,
        coalesce(np.new_brand_possible, 0) as new_brand_possible,
        coalesce(nc.new_brand_carrying, 0) / nullif(np.new_brand_possible, 0) as new_brand_distribution,
        t.demand_qty,
        t.supplied_qty,
        t.supplied_qty / nullif(t.demand_qty, 0) as order_fill_rate,
        coalesce(oc.orders, 0)::bigint as orders,
        coalesce(oc.filled_orders, 0)::bigint as filled_orders,
        oc.filled_orders / nullif(oc.orders, 0) as fulfilment_rate,
        coalesce(t.order_lines, 0)::bigint as order_lines,
        coalesce(t.filled_order_lines, 0)::bigint as filled_order_lines,
        t.filled_order_lines / nullif(t.order_lines, 0) as line_fulfilment_rate,
        p.max_gap_days,
        p.unvisited_weeks,
    from level_key as k
    cross join params as p
    left join coverage as c using (level_key)
    left join latest as l using (level_key)
    left join report as r using (level_key)
    left join trade as t using (level_key)
    left join new_brand_possible as np using (level_key)
    left join new_brand_carrying as nc using (level_key)
    left join order_count as oc using (level_key)
    left join ref('base/level_names') as n on n.level = $level and n.level_key = k.level_key
)

select * from final
order by level_key
