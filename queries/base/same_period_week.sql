-- One row per week from week_from to week_to: the week and its same period (同期), the
-- shared week arithmetic of the metrics that compare with last year, read through
-- ref('base/same_period_week'). Not a metric itself.
--
-- The same period of a week is the same ISO week number of ISO year − 1. Week 53 of a
-- year whose previous year has 52 weeks has none (null), rather than borrowing a week.
--
-- Parameters:
--   $week_from, $week_to   first and last week (Mondays; any day means its week), inclusive
-- Columns:
--   week              date  Monday of the ISO week
--   same_period_week  date  Monday of the same ISO week last year (null: none)

with

period_week as (
    select gs.week::date as week,
    from unnest(generate_series(
        date_trunc('week', $week_from::date)::date,
        date_trunc('week', $week_to::date)::date,
        interval 7 day
    )) as gs(week)
),

candidate as (
    select
        week,
        -- ISO week 1 is the week holding 4 January
        date_trunc('week', make_date((isoyear(week) - 1)::integer, 1, 4))::date
            + (weekofyear(week)::integer - 1) * 7 as same_period_candidate,
    from period_week
)

select
    week,
    -- week 53 after a 52-week year: the candidate lands in this ISO year, so there is none
    case when isoyear(same_period_candidate) = isoyear(week) - 1 then same_period_candidate end as same_period_week,
from candidate
