-- One row: whether the store keeps a table for this code, 1 when a lake's serving store offers
-- it (alert_week, uptake_week: marketpulse.lake.kept) kept by the same query, else 0; metrics
-- then read what it holds there.
--
-- Parameters:
--   $table         the kept table
--   $query_digest  the digest of the text of the query it keeps as the reader has it
--                  (store.kept_digest: its text and the code that keeps it)
-- Columns:
--   n   integer  1 or 0

select count(*) as n
from duckdb_views()
where database_name = current_database() and view_name = $table and comment = $query_digest
