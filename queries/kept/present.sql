-- One row: whether the store keeps its alerts, 1 when a lake's serving store offers table
-- alert_week (marketpulse.lake.alert_week), else 0; metrics.alerts then reads the alert list there.
--
-- Parameters: none.
-- Columns:
--   n   integer  1 or 0

select count(*) as n
from duckdb_views()
where database_name = current_database() and view_name = 'alert_week'
