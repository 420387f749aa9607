-- One row per week × recipient × channel whose latest record is a failure: what admins must
-- look at (a later successful or forced send clears it; a recipient taken off the list drops out).
--
-- Parameters: none.
-- Columns:
--   week, recipient_id, name, channel, attempts, detail, logged_at

with latest as (
    select *,
        row_number() over (partition by week, recipient_id, channel order by logged_at desc) as rn
    from delivery_log
)
select l.week, l.recipient_id, r.name, l.channel, l.attempts, l.detail, l.logged_at
from latest as l
join delivery_recipient as r using (recipient_id)
where l.rn = 1 and l.status = 'failed'
order by l.logged_at desc, l.recipient_id, l.channel
