-- One row per weight year × level key × spec with a weight: the fixed weights of the
-- 市场零售价格指数 (price_index_fixed), each spec's commercial sales (商业销量: quantity
-- supplied to retailers) in the year before, read through ref('base/fixed_weight').
-- Not a metric itself.
--
-- The weight year of a week is the ISO year before the week's (an ISO year is the 52 or 53
-- weeks whose Thursdays fall in that calendar year); this file holds the weight years of
-- the weeks from week_from to week_to. A weight is an average weekly quantity, so a year
-- the store holds only part of (a store begun mid-year) and a new spec's quarter weigh on
-- one scale; among specs of a full year it is last year's total ÷ 52 (or 53) and gives the
-- same index as the totals. The weeks held (weight_weeks) are the weeks of the weight year
-- with cells (any observation or order line): at the city, a 市场部, 片区 or customer manager
-- the level key's own, so a scope shows such a key the figure the city shows it; at the
-- retailer and product levels the scope's, every key alike (a retailer's weeks without a
-- visit or order are weeks it bought nothing, not weeks unknown).
--   last_year       a spec launched before the weight year began: Σ supplied in the weight
--                   year ÷ weight_weeks. None when it was not supplied that year.
--   first_13_weeks  a new spec (新品), launched in the weight year or later, whose sales last
--                   year are none or part of a year: Σ supplied in its first 13 weeks (the
--                   launch week and the 12 after it, a full quarter) ÷ 13, fixed from the
--                   week after those 13 (weight_from); before that it has no weight yet.
-- Weights belong to the level key: a 片区's are that 片区's own commercial sales, a
-- customer manager's theirs, the city's the city's; at brand, 价类 and spec level the
-- scope's. Sales count toward the key by the assignment of each week, as everywhere.
--
-- Parameters:
--   $level      city | department | territory | cm | retailer | brand | price_class | spec
--   $week_from, $week_to   first and last week (Mondays; any day means its week), inclusive
--   $format, $tier_band, $area_type, $brand, $price_class, $spec_code   filters, null = all
-- Columns:
--   weight_year   integer  the ISO year the weight comes from
--   level_key     varchar  code at the level ('city' for the whole city)
--   spec_code     varchar  the spec
--   weight_rule   varchar  last_year | first_13_weeks
--   weight        double   average weekly commercial sales by that rule, 条/周
--   weight_from   date     first week the weight applies to; it serves the weeks of weight_year + 1 only
--   weight_weeks  integer  weeks of the weight year held: the level key's own at the city, a
--                          市场部, 片区 or manager, else the scope's (within the filters)

with

params as (
    select
        date_trunc('week', $week_from::date)::date as week_from,
        date_trunc('week', $week_to::date)::date as week_to,
),

weight_year as (
    select
        y.weight_year::integer as weight_year,
        -- ISO week 1 is the week holding 4 January
        date_trunc('week', make_date(y.weight_year::integer, 1, 4))::date as year_start,
        date_trunc('week', make_date(y.weight_year::integer + 1, 1, 4))::date as next_year_start,
    from params as p
    cross join unnest(range(isoyear(p.week_from) - 1, isoyear(p.week_to))) as y(weight_year)
),

-- the weight years' weeks, and after them only the first quarters of specs new since the
-- first weight year began: two reads with constant week bounds, so each scan skips the rest
observation as (
    select o.week, isoyear(o.week)::integer as year, o.level_key, o.spec_code, o.supplied_qty,
    -- the first week of the year before week_from's lies at most 105 weeks back
    from ref('base/cell_at_level', lookback_weeks='105', product_level='all') as o
    -- ISO week 1 holds 4 January
    where o.week >= date_trunc('week', make_date(isoyear($week_from::date)::integer - 1, 1, 4))
      and o.week < date_trunc('week', make_date(isoyear($week_to::date)::integer, 1, 4))

    union all

    select o.week, isoyear(o.week)::integer as year, o.level_key, o.spec_code, o.supplied_qty,
    from ref('base/cell_at_level', lookback_weeks='105', product_level='all') as o
    semi join spec as s
        on s.spec_code = o.spec_code
        and s.launch_date >= date_trunc('week', make_date(isoyear($week_from::date)::integer - 1, 1, 4))
    where o.week >= date_trunc('week', make_date(isoyear($week_to::date)::integer, 1, 4))
),

-- the weeks held: at the city, a 市场部, 片区 or customer manager the level key's own (its cells',
-- so a scope shows each key the figure the city shows it); at the retailer and product levels
-- the scope's, every key alike
held as (
    select
        year as weight_year,
        case when $level in ('city', 'department', 'territory', 'cm') then level_key end as held_key,
        count(distinct week)::integer as weeks,
    from observation
    group by all
),

launch as (
    select
        spec_code,
        date_trunc('week', launch_date)::date as launch_week,
        (date_trunc('week', launch_date) + interval 13 weeks)::date as first_quarter_end,
    from spec
),

last_year as (
    select
        o.year as weight_year,
        o.level_key,
        o.spec_code,
        sum(o.supplied_qty)::double as supplied,
    from observation as o
    join weight_year as y on y.weight_year = o.year
    join launch as l on l.spec_code = o.spec_code and l.launch_week < y.year_start
    group by all
),

first_quarter as (
    select
        o.level_key,
        o.spec_code,
        l.launch_week,
        sum(o.supplied_qty)::double as supplied,
    from observation as o
    join launch as l
        on l.spec_code = o.spec_code
        and o.week >= l.launch_week
        and o.week < l.first_quarter_end
    -- only specs new to some weight year read their first quarter
    where l.launch_week >= (select min(year_start) from weight_year)
    group by all
),

final as (
    select
        a.weight_year,
        a.level_key,
        a.spec_code,
        'last_year' as weight_rule,
        a.supplied / nullif(h.weeks, 0) as weight,
        y.next_year_start as weight_from,
        h.weeks as weight_weeks,
    from last_year as a
    join weight_year as y using (weight_year)
    join held as h
        on h.weight_year = a.weight_year
        and h.held_key is not distinct from
            case when $level in ('city', 'department', 'territory', 'cm') then a.level_key end

    union all

    select
        y.weight_year,
        f.level_key,
        f.spec_code,
        'first_13_weeks' as weight_rule,
        f.supplied / 13 as weight,
        greatest(y.next_year_start, f.launch_week + interval 13 weeks)::date as weight_from,
        coalesce(h.weeks, 0)::integer as weight_weeks,
    from first_quarter as f
    join weight_year as y on f.launch_week >= y.year_start
    left join held as h
        on h.weight_year = y.weight_year
        and h.held_key is not distinct from
            case when $level in ('city', 'department', 'territory', 'cm') then f.level_key end
)

select * from final
