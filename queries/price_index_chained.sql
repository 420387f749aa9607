-- One row per level key × week: 价格指数 over time, a chained index of actual prices.
-- How have retail prices moved since week_from? Each week is linked to the level's
-- previous week with priced sales, over the specs sold in both (matched sample); the links
-- are multiplied into an index with base 100 at the level's first week in the range.
--
-- A spec's price in a week is its sales-weighted actual price within the level key
-- (Σ retail_price · sales ÷ Σ sales, observations with a price and sales > 0), its
-- quantity the sales. Link formulas (marketpulse/metrics/index_formulas.py is the reference):
--   Laspeyres  Σ p1·q0 / Σ p0·q0        Paasche  Σ p1·q1 / Σ p0·q1
--   Fisher     √(Laspeyres · Paasche)   (default)
--   Törnqvist  exp(Σ ½(s0 + s1)·ln(p1/p0)), s = value share within the matched specs
-- A week sharing no spec with the previous one carries the index forward (link 1).
--
-- Parameters:
--   $level      city | department | territory | cm | retailer | brand | price_class | spec
--   $week_from, $week_to   first and last week (Mondays; any day means its week), inclusive
--   $formula    laspeyres | paasche | fisher | tornqvist; null = fisher
--   $format, $tier_band, $area_type, $brand, $price_class, $spec_code   filters, null = all
-- Columns:
--   week           date     Monday of the ISO week
--   level_key      varchar  code at the level ('city' for the whole city)
--   level_name     varchar  its Chinese name
--   formula        varchar  the formula of price_index and link
--   price_index    double   chained index by that formula, 100 = the first week
--   link           double   this week's link by that formula (1.01 = +1% on the week before)
--   laspeyres, paasche, fisher, tornqvist   double   the chained index by each formula
--   matched_specs  integer  specs compared with the previous week (0: carried forward)
--   specs          integer  specs with priced sales this week

with

params as (
    select
        date_trunc('week', $week_from::date)::date as week_from,
        date_trunc('week', $week_to::date)::date as week_to,
        case coalesce($formula, 'fisher')
            when 'laspeyres' then 'laspeyres'
            when 'paasche' then 'paasche'
            when 'fisher' then 'fisher'
            when 'tornqvist' then 'tornqvist'
            else error('未知的指数公式 / unknown index formula: ' || $formula)
        end as formula,
),

-- each spec's sales-weighted actual price per level key × week, from the page-grain cells
-- (base/cell_at_level): Σ price·q and Σ q over the observations with a price and sales > 0
item_week as (
    select
        c.week,
        c.level_key,
        c.spec_code,
        sum(c.retail_value)::double / sum(c.priced_sales_qty)::double as price,
        sum(c.priced_sales_qty)::double as qty,
    from ref('base/cell_at_level', lookback_weeks='0', product_level='all') as c
    cross join params as p
    where c.week between p.week_from and p.week_to
      and c.priced_observations > 0
    group by all
),

week_pair as (
    select
        level_key,
        week,
        lag(week) over (partition by level_key order by week) as prev_week,
        specs,
    from (select level_key, week, count(*)::integer as specs from item_week group by all)
),

matched as (
    select
        wp.level_key,
        wp.week,
        prev.price as p0,
        cur.price as p1,
        prev.qty as q0,
        cur.qty as q1,
    from week_pair as wp
    join item_week as cur on cur.level_key = wp.level_key and cur.week = wp.week
    join item_week as prev
        on prev.level_key = wp.level_key
        and prev.week = wp.prev_week
        and prev.spec_code = cur.spec_code
),

link as (
    select
        level_key,
        week,
        count(*)::integer as matched_specs,
        sum(p1 * q0) / sum(p0 * q0) as laspeyres,
        sum(p1 * q1) / sum(p0 * q1) as paasche,
        exp(
            0.5 * sum(p0 * q0 * ln(p1 / p0)) / sum(p0 * q0)
            + 0.5 * sum(p1 * q1 * ln(p1 / p0)) / sum(p1 * q1)
        ) as tornqvist,
    from matched
    group by all
),

week_link as (
    select
        wp.level_key,
        wp.week,
        wp.specs,
        coalesce(l.matched_specs, 0) as matched_specs,
        coalesce(l.laspeyres, 1) as laspeyres_link,
        coalesce(l.paasche, 1) as paasche_link,
        coalesce(sqrt(l.laspeyres * l.paasche), 1) as fisher_link,
        coalesce(l.tornqvist, 1) as tornqvist_link,
    from week_pair as wp
    left join link as l using (level_key, week)
),

-- the links are chained in a select of their own: a window cannot read an alias of its select
chained as (
    select
        wl.*,
        100 * exp(sum(ln(wl.laspeyres_link)) over running) as laspeyres,
        100 * exp(sum(ln(wl.paasche_link)) over running) as paasche,
        100 * exp(sum(ln(wl.fisher_link)) over running) as fisher,
        100 * exp(sum(ln(wl.tornqvist_link)) over running) as tornqvist,
    from week_link as wl
    window running as (partition by wl.level_key order by wl.week rows unbounded preceding)
),

final as (
    select
        c.week,
        c.level_key,
        n.level_name,
        p.formula,
        case p.formula
            when 'laspeyres' then c.laspeyres
            when 'paasche' then c.paasche
            when 'fisher' then c.fisher
            else c.tornqvist
        end as price_index,
        case p.formula
            when 'laspeyres' then c.laspeyres_link
            when 'paasche' then c.paasche_link
            when 'fisher' then c.fisher_link
            else c.tornqvist_link
        end as link,
        c.laspeyres,
        c.paasche,
        c.fisher,
        c.tornqvist,
        c.matched_specs,
        c.specs,
    from chained as c
    cross join params as p
    left join ref('base/level_names') as n on n.level = $level and n.level_key = c.level_key
)

select * from final
order by week, level_key
