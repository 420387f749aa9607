-- One row per 片区 with an imported outline (territory_shape, from `marketpulse import-shapes`).
--
-- Parameters: none.
-- Columns:
--   territory_code, territory_name   varchar
--   geometry                         varchar  GeoJSON Polygon or MultiPolygon, WGS-84

select s.territory_code, t.territory_name, s.geometry
from territory_shape as s
join territory as t using (territory_code)
order by s.territory_code
