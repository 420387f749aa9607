-- One row: when the last import that stored rows ran (null before the first).
--
-- Parameters: none.
-- Columns:
--   at  timestamp

select max(imported_at) as at
from import_log
where status = 'stored'
