-- One row per level key × week × signal: market signals in customer managers' notes.
-- What are customer managers hearing in the market (民工回流, 外来人口增加, 竞品促销,
-- 假烟/乱渠道 ...)? A visit mentions a signal when the free-text notes of any of its visit
-- lines contain one of the signal's keywords (note_keyword, edited as data). A visit is
-- counted once per signal, however many keywords or spec lines repeat it. Notes are
-- about the market, not one spec: the brand / price class / spec filters do not apply.
-- Weeks and attribution (片区, customer manager who reported, customer group) are those of
-- the visit (retailer_visit). Only signals mentioned at least once appear.
--
-- Parameters:
--   $level      city | department | territory | cm | retailer
--   $week_from, $week_to   first and last week (Mondays; any day means its week), inclusive
--   $format, $tier_band, $area_type   customer-group filters, null = all
-- Columns:
--   week        date     Monday of the ISO week
--   level_key   varchar  code at the level ('city' for the whole city)
--   level_name  varchar  its Chinese name
--   signal      varchar  signal code, e.g. migrant_return
--   signal_zh   varchar  its Chinese label
--   signal_en   varchar  its English label
--   mentions    integer  visits whose notes mention the signal
--   retailers   integer  distinct retailers among them

with

params as (
    select
        date_trunc('week', $week_from::date)::date as week_from,
        date_trunc('week', $week_to::date)::date as week_to,
),

visit_note as (
    select
        rv.week,
        case $level
            when 'city' then 'city'
            when 'department' then rv.department_code
            when 'territory' then rv.territory_code
            when 'cm' then rv.cm_code
            when 'retailer' then rv.license_no
            else error('未知层级 / unknown level: ' || $level)
        end as level_key,
        rv.license_no,
        rv.visit_date,
        v.notes,
    from visit_line as v
    join retailer_visit as rv using (license_no, visit_date)
    cross join params as p
    where v.notes is not null
      and rv.week between p.week_from and p.week_to
      and ($format is null or rv.format = $format)
      and ($tier_band is null or rv.tier_band = $tier_band)
      and ($area_type is null or rv.area_type = $area_type)
),

mention as (
    select distinct
        n.week,
        n.level_key,
        n.license_no,
        n.visit_date,
        k.signal,
    from visit_note as n
    join note_keyword as k on contains(n.notes, k.keyword)
),

signal_label as (
    select
        signal,
        min(signal_zh) as signal_zh,
        min(signal_en) as signal_en,
    from note_keyword
    group by all
),

final as (
    select
        m.week,
        m.level_key,
        any_value(n.level_name) as level_name,
        m.signal,
        any_value(l.signal_zh) as signal_zh,
        any_value(l.signal_en) as signal_en,
        count(*)::integer as mentions,
        count(distinct m.license_no)::integer as retailers,
    from mention as m
    join signal_label as l using (signal)
    left join ref('base/level_names') as n on n.level = $level and n.level_key = m.level_key
    group by m.week, m.level_key, m.signal
)

select * from final
order by week, level_key, signal
