-- One row per retailer on a customer manager's route in a week (我的线路): open and assigned to
-- the manager that week (retailer_week), with its visits this week and its last visit's notes.
--
-- Parameters:
--   $cm_code    the customer manager
--   $week_to    the week (Monday; any day means its week)
-- Columns:
--   license_no, retailer_name, territory_code, cm_code, format   varchar
--   tier               integer
--   visits             integer  visit reports this week (by anyone)
--   last_visit_date    date     latest visit up to the week's Sunday; null: never visited
--   weeks_since_visit  integer  whole weeks since the last visit's week (0 = this week); null: never
--   notes              varchar  the free-text notes of the last visit, distinct, joined by "；"

with

params as (select date_trunc('week', $week_to::date)::date as week),

route as (
    select rw.*
    from retailer_week as rw, params as p
    where rw.week = p.week and rw.cm_code = $cm_code
),

notes as (
    select v.license_no, string_agg(distinct v.notes, '；' order by v.notes) as notes
    from visit_line as v
    join route as r on r.license_no = v.license_no and v.visit_date = r.last_visit_date
    where v.notes is not null and trim(v.notes) <> ''
    group by v.license_no
)

select
    r.license_no,
    t.retailer_name,
    r.territory_code,
    r.cm_code,
    r.format,
    r.tier,
    r.visits,
    r.last_visit_date,
    (date_diff('day', date_trunc('week', r.last_visit_date)::date, p.week) // 7)::integer as weeks_since_visit,
    n.notes,
from route as r
cross join params as p
join retailer as t using (license_no)
left join notes as n using (license_no)
order by r.license_no
