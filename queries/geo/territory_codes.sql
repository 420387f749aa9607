-- One row per 片区 in the store, with its name: what a GeoJSON feature's code or name is matched against.
--
-- Parameters: none.
-- Columns:
--   territory_code, territory_name   varchar

select territory_code, territory_name from territory order by territory_code
