-- One row per retailer × customer manager × 片区 it was ever assigned to, in its history
-- (retailer_assignment) or now (retailer), with the 片区's 市场部: what a scope's border is
-- crossed by. Read through ref('base/assigned') by kept/crossings and kept/manager_crossings.
-- Not a metric itself.
--
-- Columns:
--   license_no, cm_code, territory_code, department_code   varchar

select a.license_no, a.cm_code, a.territory_code, t.department_code
from retailer_assignment as a
join territory as t using (territory_code)
union
select r.license_no, r.cm_code, r.territory_code, t.department_code
from retailer as r
join territory as t using (territory_code)
