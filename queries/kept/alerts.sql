-- One row per alert × week, as alerts.sql: the alert list read from the alerts the lake keeps, table
-- alert_week: base/alert_rows evaluated for the whole city, unfiltered, from the store's first
-- week, and brought up to date with each lake write (marketpulse.lake.alert_week). Every run is
-- traced from its true start, so no run is open. metrics.alerts reads it when the lake keeps
-- the table for the store as it is, no filter is set, and the scope is the city, a 市场部 or
-- a 片区 (a scope's alerts of these kinds are the city's within it).
--
-- Parameters:
--   $week_from, $week_to   weeks shown (Mondays; any day means its week), inclusive
--   $kinds        kinds read, separated by commas; null = every kind
-- Columns: as alerts.sql

with

alert_span as (
    select
        date_trunc('week', $week_from::date)::date as week_from,
        date_trunc('week', $week_to::date)::date as week_to,
        least((select min(week) from spec_cm_week), (select min(week) from retailer_week)) as evaluated_from,
        least((select min(week) from spec_cm_week), (select min(week) from retailer_week)) as first_week,
),

alert_row as (
    -- a run's earlier weeks count toward it: every week up to week_to
    select a.*
    from alert_week as a
    where a.week <= date_trunc('week', $week_to::date)::date
      and ($kinds is null or list_contains(string_split($kinds, ','), a.kind))
      -- 新品滞后 of the specs new in week_to, as an evaluation ending there has it (the lake keeps
      -- each week's, of the specs new in that week)
      and (a.kind <> 'lagging_launch' or a.spec_code in (select spec_code from ref('base/new_spec')))
)

select * from ref('base/alert_runs')
order by week desc, severity_score desc, kind, territory_code
