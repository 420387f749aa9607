-- One row per customer manager: whether a retailer assigned to the manager, now or before, was
-- ever assigned to another manager, or the manager to more than one 片区 (crosses). A manager's
-- scope sees such a retailer's rows only while the manager served it, and only in the 片区 it
-- serves now, so what the lake keeps for the manager's row may differ from the manager's own
-- figures there; elsewhere the kept manager row is the scope's total (metrics.kept.kept_level).
-- Read for the city.
--
-- Parameters: none.
-- Columns:
--   cm_code   varchar
--   crosses   boolean

with

-- the retailers' assignments, and the 片区 each manager serves now
assigned as (
    select license_no, cm_code, territory_code from ref('base/assigned')
    union
    select null, cm_code, territory_code from customer_manager
),

retailer_managers as (
    select license_no, count(distinct cm_code) as managers
    from assigned
    where license_no is not null
    group by all
)

select
    a.cm_code,
    count(distinct a.territory_code) > 1 or coalesce(max(r.managers), 1) > 1 as crosses,
from assigned as a
left join retailer_managers as r using (license_no)
where a.cm_code is not null
group by all
order by a.cm_code
