-- One row per new spec × level key × week since launch: 新品牌培育 (new-brand uptake).
-- How far has each spec launched in the last 52 weeks spread (铺货率, and 上柜率 this
-- week), does it sell where it is (动销率), do retailers come back for it (重购率), and how
-- much does a carrying retailer sell a week (单店周销)? Ratios of sums over retailers,
-- never means of ratios.
--
-- Definitions (DESIGN.md §2), decided here where they were open:
--   new spec          launch week (Monday of launch_date) within the 52 weeks ending at
--                     week_to: weeks_since_launch at week_to is 0 … 51; week 0 = launch week.
--                     The new specs are base/new_spec's, shared with cm_scorecard.
--   active retailer   open in the week (retailer_week: opened_on ≤ Sunday, closed_on null
--                     or ≥ Monday), attributed to the level by the assignment valid on the
--                     week's Monday. Every count below is over active retailers only.
--   visited           an active retailer with at least one visit report that week.
--   carrying          in that week: stock counted > 0 at the week's last visit, or order
--                     supplied > 0, or sales > 0. Weekly: a retailer not visited and not
--                     supplied that week is not counted as carrying it.
--   ordered           an order line with demand_qty > 0 that week (the retailer asked for
--                     it, whether or not supply was rationed).
--   distribution_rate (铺货率, cumulative) active retailers that ever stocked or ordered the
--                     spec since launch ÷ active retailers. "Stocked or ordered": carrying
--                     or ordered in some week from the launch week on, or any order line
--                     with demand or supply > 0 since launch. The history is the
--                     retailer's own, so a retailer that moved 片区 or customer manager
--                     brings it along (within a scope, its visits from before it came into
--                     the scope are not seen, its orders are: a retailer gets a spec only
--                     by ordering it). A closed retailer leaves both sides.
--   shelf_rate        (上柜率, weekly) visited retailers with the spec on the shelf (on_shelf
--                     at any visit of the week) or in stock (stock > 0 at the week's last
--                     visit) ÷ visited retailers; null when nobody was visited.
--   sellthrough_rate  (动销率) carrying retailers with sales > 0 that week ÷ carrying
--                     retailers whose week sales are known; null when none are known (a
--                     first stock count, or supplied but not visited, is unknown, not "not
--                     selling": the rule 单店周销 and sales_volume follow).
--   repeat_rate       (重购率, cumulative) retailers that ordered it in ≥ 2 distinct weeks
--                     from launch to this week ÷ retailers that ordered it at all by then;
--                     counted within the level (a retailer's weeks under another level
--                     key do not add up).
--   weekly_repeat_rate (the industry's weekly 重购率) retailers that ordered in both week
--                     w − 1 and week w ÷ retailers that ordered in week w − 1 (null in the
--                     launch week: nobody ordered before it).
--   sales_per_stocking_retailer (单店周销) Σ sales of carrying retailers whose sales are
--                     known ÷ their number, 条 per retailer per week.
-- The history from launch to week_to is read (cumulative counts need it); the counts are
-- made, and rows returned, for week_from … week_to.
--
-- Parameters:
--   $level      city | department | territory | cm | retailer
--   $week_from, $week_to   first and last week (Mondays; any day means its week), inclusive
--   $format, $tier_band, $area_type   retailer filters; $brand, $price_class, $spec_code
--               spec filters; null = all
--   $measures   'distribution': 铺货率 and its counts alone (what 新品滞后 reads), the other
--               counts not computed (0, their rates null); null = all
-- Columns:
--   week                         date     Monday of the ISO week
--   level_key                    varchar  code at the level ('city' for the whole city)
--   level_name                   varchar  its Chinese name
--   spec_code, spec_name, brand  varchar  the new spec
--   launch_week                  date     Monday of its launch week
--   weeks_since_launch           integer  0 = launch week
--   active_retailers             bigint   active retailers of the level that week
--   distributed_retailers        bigint   of those, that stocked or ordered it since launch
--   distribution_rate            double   铺货率 (cumulative), 0–1
--   visited_retailers            bigint   active retailers visited that week
--   shelved_retailers            bigint   of those, with it on the shelf or in stock
--   shelf_rate                   double   上柜率 (weekly), 0–1; null when nobody was visited
--   carrying_retailers           bigint   active retailers carrying it that week
--   sales_known_retailers        bigint   of those, with the week's sales known
--   selling_retailers            bigint   of those, with sales > 0
--   sellthrough_rate             double   动销率, 0–1; null when no carrying retailer's
--                                         sales are known
--   ordering_retailers           bigint   retailers that ordered it since launch (cumulative)
--   repeat_retailers             bigint   of those, ordered in ≥ 2 distinct weeks
--   repeat_rate                  double   重购率 (cumulative), 0–1; null before any order
--   ordered_prev_week            bigint   retailers that ordered it in week w − 1
--   ordered_both_weeks           bigint   of those, also in week w
--   weekly_repeat_rate           double   周重购率, 0–1; null when nobody ordered in w − 1
--   sales_qty                    double   Σ known sales of carrying retailers, 条
--   sales_per_stocking_retailer  double   单店周销, 条; null when no carrying retailer's
--                                         sales are known

with

params as (
    select
        date_trunc('week', $week_from::date)::date as week_from,
        date_trunc('week', $week_to::date)::date as week_to,
),

new_spec as (
    select * from ref('base/new_spec')
),

active as (
    select
        rw.week,
        rw.license_no,
        case $level
            when 'city' then 'city'
            when 'department' then rw.department_code
            when 'territory' then rw.territory_code
            when 'cm' then rw.cm_code
            when 'retailer' then rw.license_no
            else error('未知层级 / unknown level: ' || $level)
        end as level_key,
        rw.visits > 0 as visited,
    from retailer_week as rw
    cross join params as p
    where rw.week between (select min(launch_week) from new_spec) and p.week_to
      and ($format is null or rw.format = $format)
      and ($tier_band is null or rw.tier_band = $tier_band)
      and ($area_type is null or rw.area_type = $area_type)
),

active_count as (
    select
        week,
        level_key,
        count(*) as active_retailers,
        count(*) filter (where visited) as visited_retailers,
    from active
    group by all
),

observation as (
    select
        o.week,
        a.level_key,
        o.license_no,
        o.spec_code,
        coalesce(o.stock_qty, 0) > 0 or o.supplied_qty > 0 or coalesce(o.sales_qty, 0) > 0 as carrying,
        a.visited and (coalesce(o.on_shelf, false) or coalesce(o.stock_qty, 0) > 0) as shelved,
        coalesce(o.sales_qty, 0) > 0 as selling,
        o.sales_qty::double as sales_qty,
        o.demand_qty > 0 as ordered,
    -- a new spec's weeks from launch to week_to all lie in its launch year: launch_observation
    -- holds them, without the other specs' rows a scan of weekly_observation would go through
    from launch_observation as o
    join new_spec as n using (spec_code)
    join active as a using (week, license_no)
    where o.week >= n.launch_week
      -- constants implied by the above (a new spec launched within the 52 weeks ending at
      -- week_to; active weeks end there): the scan then skips the row groups of other weeks
      and o.week between (date_trunc('week', $week_to::date) - interval 51 weeks)::date
                     and date_trunc('week', $week_to::date)::date
),

-- the first week each retailer stocked or ordered each new spec: its observations, and its
-- order weeks (launch_order_week: the weeks of its launch year with an order line asking for or
-- supplying it), which a scope cuts by retailer only, as order_line (so a retailer's earlier
-- orders under another 片区 or customer manager are seen)
first_reach as (
    select
        license_no,
        spec_code,
        min(week) as first_week,
    from (
        select week, license_no, spec_code
        from observation
        where carrying or ordered
        union all
        select o.week, o.license_no, o.spec_code
        from launch_order_week as o
        join new_spec as n using (spec_code)
        where o.week >= n.launch_week
          and o.week between (date_trunc('week', $week_to::date) - interval 51 weeks)::date
                         and date_trunc('week', $week_to::date)::date
    )
    group by all
),

reached as (
    select
        a.week,
        a.level_key,
        f.spec_code,
        count(*) as distributed_retailers,
    from active as a
    join first_reach as f
        on f.license_no = a.license_no
        and f.first_week <= a.week
    cross join params as p
    -- counted in the weeks shown only: each week's count is its own (the history is first_reach)
    where a.week between p.week_from and p.week_to
    group by all
),

weekly as (
    select
        week,
        level_key,
        spec_code,
        count(*) filter (where shelved) as shelved_retailers,
        count(*) filter (where carrying) as carrying_retailers,
        count(sales_qty) filter (where carrying) as sales_known_retailers,
        count(*) filter (where carrying and selling) as selling_retailers,
        sum(sales_qty) filter (where carrying) as sales_qty,
    from observation
    where $measures is null  -- a constant: left out, nothing is computed
      and week between (select week_from from params) and (select week_to from params)
    group by all
),

-- the weeks each retailer ordered each spec, within the level (one row per week: observation
-- is one row per retailer × spec × week)
ordered_week as (
    select week, level_key, spec_code, license_no
    from observation
    where ordered
      and $measures is null  -- a constant: left out, no order count is computed
),

-- its first and second order weeks, by aggregation rather than numbering every order in a
-- window (a sort of every order line of the year)
first_order as (
    select level_key, spec_code, license_no, min(week) as first_week,
    from ordered_week
    group by all
),

second_order as (
    select o.level_key, o.spec_code, o.license_no, min(o.week) as second_week,
    from ordered_week as o
    join first_order as f using (level_key, spec_code, license_no)
    where o.week > f.first_week
    group by all
),

-- retailers that ordered by each week shown, and of those that ordered in a second week by
-- then: counted directly (first and second order weeks lie in the history read above)
order_count as (
    select
        g.week,
        f.level_key,
        f.spec_code,
        count(*) as ordering_retailers,
        count(*) filter (where s.second_week <= g.week) as repeat_retailers,
    from (select distinct week from active_count where week between (select week_from from params) and (select week_to from params)) as g
    join first_order as f on f.first_week <= g.week
    left join second_order as s using (level_key, spec_code, license_no)
    group by all
),

weekly_repeat as (
    select
        prev.week + 7 as week,
        prev.level_key,
        prev.spec_code,
        count(*) as ordered_prev_week,
        count(cur.license_no) as ordered_both_weeks,
    from ordered_week as prev
    left join ordered_week as cur
        on cur.level_key = prev.level_key
        and cur.spec_code = prev.spec_code
        and cur.license_no = prev.license_no
        and cur.week = prev.week + 7
    cross join params as p
    where prev.week + 7 between p.week_from and p.week_to
    group by all
),

grid as (
    select
        ac.week,
        ac.level_key,
        ac.active_retailers,
        ac.visited_retailers,
        n.spec_code,
        n.spec_name,
        n.brand,
        n.launch_week,
    from active_count as ac
    join new_spec as n on ac.week >= n.launch_week
    cross join params as p
    where ac.week between p.week_from and p.week_to
),

cumulative as (
    select
        g.*,
        coalesce(d.distributed_retailers, 0) as distributed_retailers,
        coalesce(w.shelved_retailers, 0) as shelved_retailers,
        coalesce(w.carrying_retailers, 0) as carrying_retailers,
        coalesce(w.sales_known_retailers, 0) as sales_known_retailers,
        coalesce(w.selling_retailers, 0) as selling_retailers,
        w.sales_qty,
        coalesce(m.ordering_retailers, 0) as ordering_retailers,
        coalesce(m.repeat_retailers, 0) as repeat_retailers,
        coalesce(r.ordered_prev_week, 0) as ordered_prev_week,
        coalesce(r.ordered_both_weeks, 0) as ordered_both_weeks,
    from grid as g
    left join reached as d using (week, level_key, spec_code)
    left join weekly as w using (week, level_key, spec_code)
    left join order_count as m using (week, level_key, spec_code)
    left join weekly_repeat as r using (week, level_key, spec_code)
),

final as (
    select
        c.week,
        c.level_key,
        n.level_name,
        c.spec_code,
        c.spec_name,
        c.brand,
        c.launch_week,
        (date_diff('day', c.launch_week, c.week) // 7)::integer as weeks_since_launch,
        c.active_retailers,
        c.distributed_retailers,
        c.distributed_retailers / nullif(c.active_retailers, 0) as distribution_rate,
        c.visited_retailers,
        c.shelved_retailers,
        c.shelved_retailers / nullif(c.visited_retailers, 0) as shelf_rate,
        c.carrying_retailers,
        c.sales_known_retailers,
        c.selling_retailers,
        c.selling_retailers / nullif(c.sales_known_retailers, 0) as sellthrough_rate,
        c.ordering_retailers::bigint as ordering_retailers,
        c.repeat_retailers::bigint as repeat_retailers,
        c.repeat_retailers / nullif(c.ordering_retailers, 0) as repeat_rate,
        c.ordered_prev_week,
        c.ordered_both_weeks,
        c.ordered_both_weeks / nullif(c.ordered_prev_week, 0) as weekly_repeat_rate,
        c.sales_qty,
        c.sales_qty / nullif(c.sales_known_retailers, 0) as sales_per_stocking_retailer,
    from cumulative as c
    cross join params as p
    left join ref('base/level_names') as n on n.level = $level and n.level_key = c.level_key
    where c.week between p.week_from and p.week_to
)

select * from final
order by spec_code, level_key, week
