-- One row per report week × period (month | quarter | year) from week_from to week_to: the
-- weeks its period to date (月/季/年累计) spans and the same span last year, the shared
-- calendar of the period metrics, read through ref('base/period_to_date'). Not a metric itself.
--
-- Sales are known per week only (a visit reports the week's sales, or the stock change over
-- the 7-day cycle), so a period is made of whole ISO weeks, and orders follow the same rule
-- so that a period's 订单满足率 covers the weeks its sales do. A week belongs to the calendar
-- month, quarter and year of its Thursday: the ISO convention, by which an ISO year holds
-- exactly the weeks whose Thursday falls in it. So 2026-12-28 … 2027-01-03 (Thursday
-- 31 December) counts to December, Q4 and 2026 (it is 2026-W53), and January 2027 starts
-- with 2027-W01 (Monday 4 January).
-- The period to date of report week w: the weeks of w's period from its first week to w
-- (年累计: ISO week 1 to w). The same span last year (累计同比's base): the same ISO week
-- numbers of ISO year − 1, i.e. each week's 同期 (base/same_period_week); week 53 has none,
-- so after a 52-week year the span last year ends at its week 52.
--
-- Parameters:
--   $week_from, $week_to   report weeks (Mondays; any day means its week), inclusive
-- Columns:
--   week            date     the report week (Monday)
--   period          varchar  month | quarter | year
--   period_label    varchar  the period of the report week's Thursday: 2027-01 | 2027-Q1 | 2027
--   period_from     date     Monday of the period's first week
--   weeks           integer  weeks from period_from to week, inclusive
--   sp_period_from  date     Monday of period_from's ISO week number in ISO year − 1
--   sp_period_to    date     Monday of week's ISO week number in ISO year − 1 (at most its last week)
--   sp_weeks        integer  weeks from sp_period_from to sp_period_to, inclusive

with

report_week as (
    select
        gs.week::date as week,
        (gs.week + interval 3 day)::date as thursday,
    from unnest(generate_series(
        date_trunc('week', $week_from::date)::date,
        date_trunc('week', $week_to::date)::date,
        interval 7 day
    )) as gs(week)
),

period_start as (
    select week, 'month' as period, strftime(thursday, '%Y-%m') as period_label,
           date_trunc('month', thursday)::date as starts,
    from report_week
    union all
    select week, 'quarter', strftime(thursday, '%Y') || '-Q' || quarter(thursday), date_trunc('quarter', thursday)::date,
    from report_week
    union all
    select week, 'year', strftime(thursday, '%Y'), date_trunc('year', thursday)::date,
    from report_week
),

span as (
    select
        week,
        period,
        period_label,
        -- the first week whose Thursday lies in the period
        date_trunc('week', starts + interval 3 day)::date as period_from,
        isoyear(week)::integer - 1 as sp_year,
    from period_start
),

final as (
    select
        s.week,
        s.period,
        s.period_label,
        s.period_from,
        (date_diff('day', s.period_from, s.week) // 7 + 1)::integer as weeks,
        -- ISO week n of year y starts (n − 1) weeks after the Monday of the week holding 4 January
        date_trunc('week', make_date(s.sp_year, 1, 4))::date + (weekofyear(s.period_from)::integer - 1) * 7
            as sp_period_from,
        -- 28 December always lies in a year's last ISO week
        least(
            date_trunc('week', make_date(s.sp_year, 1, 4))::date + (weekofyear(s.week)::integer - 1) * 7,
            date_trunc('week', make_date(s.sp_year, 12, 28))::date
        ) as sp_period_to,
    from span as s
)

select
    *,
    (date_diff('day', sp_period_from, sp_period_to) // 7 + 1)::integer as sp_weeks,
from final
