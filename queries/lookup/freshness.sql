-- One row per 片区 (territory) in scope: the latest week it reported and how many retailers
-- were visited in it, for the freshness line and the Data page.
--
-- Parameters: none.
-- Columns:
--   territory_code  varchar
--   territory_name  varchar
--   latest_week     date     Monday of the last week with a visit; null when never visited
--   retailers       bigint   retailers with a visit report, ever

select
    t.territory_code,
    t.territory_name,
    max(v.week) as latest_week,
    count(distinct v.license_no) as retailers
from territory as t
left join retailer_visit as v using (territory_code)
group by all
order by t.territory_code
