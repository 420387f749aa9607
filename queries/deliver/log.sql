-- One row per delivery attempt record (delivery_log), newest first, with the recipient's name.
--
-- Parameters:
--   $week   the report week (Monday) to show; null = every week
-- Columns:
--   week, recipient_id, name, channel, status, attempts, detail, logged_at

select l.week, l.recipient_id, r.name, l.channel, l.status, l.attempts, l.detail, l.logged_at
from delivery_log as l
left join delivery_recipient as r using (recipient_id)
where $week is null or l.week = $week::date
order by l.logged_at desc, l.week desc, l.recipient_id, l.channel
