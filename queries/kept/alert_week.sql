-- One row per alert × week as the lake keeps it, table alert_week (marketpulse.lake.alert_week):
-- base/alert_rows for the whole city, unfiltered, the rows about a customer manager's own visits
-- (照搬照抄, 漏访) with the 片区 the manager's retailers were assigned to, so that a scope cuts
-- them as it cuts the rest (kept/alerts.sql takes it off again: the list names the manager's
-- 片区 as alerts.sql does). A manager assigned in two 片区 gets one of them; such a manager
-- makes both crossed (kept/crossings.sql), and a crossed scope evaluates these kinds itself.
--
-- Parameters:
--   $week_from, $week_to   weeks to evaluate (Mondays; any day means its week), inclusive
--   $kinds        kinds to evaluate, separated by commas; null = every kind
--   $territories, $city_distribution   as base/alert_rows.sql; null = every 片区, and the city's
--                 铺货率 from its 片区 (the lake keeps the whole city's)
-- Columns: as base/alert_rows.sql

with

manager_territory as (
    select cm_code, min(territory_code) as territory_code,
    from (
        select cm_code, territory_code from retailer_assignment
        union
        select cm_code, territory_code from retailer
    )
    group by all
)

select r.* replace (
    case when r.kind in ('copy_suspect', 'missed_visits') then m.territory_code else r.territory_code end
        as territory_code
)
from ref('base/alert_rows') as r
left join manager_territory as m on m.cm_code = r.cm_code
