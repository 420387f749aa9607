-- One row per recipient × channel already sent the 周报 of a week: what a run skips unless forced.
--
-- Parameters:
--   $week   the report week (Monday)
-- Columns:
--   recipient_id, channel

select distinct recipient_id, channel
from delivery_log
where week = $week::date and status = 'sent'
