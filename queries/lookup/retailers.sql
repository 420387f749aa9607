-- One row per retailer as the reference table holds it now: within a scope, the retailers
-- assigned to it now (the supply plan's 控量户 files list only these for a narrower scope).
--
-- Parameters: none.
-- Columns:
--   license_no     varchar
--   retailer_name  varchar
--   territory_code varchar  its 片区 now
--   cm_code        varchar  its customer manager now

select license_no, retailer_name, territory_code, cm_code
from retailer
where territory_code is not null  -- those the scope held before come without one
order by license_no
