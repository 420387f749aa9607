-- One row: whether the store keeps its alerts for this code, 1 when a lake's serving store offers
-- table alert_week (marketpulse.lake.alert_week) kept by the same alert query, else 0;
-- metrics.alerts then reads the alert list there.
--
-- Parameters:
--   $query_digest  the digest of base/alert_rows' text as the reader has it (store.text_digest)
-- Columns:
--   n   integer  1 or 0

select count(*) as n
from duckdb_views()
where database_name = current_database() and view_name = 'alert_week' and comment = $query_digest
