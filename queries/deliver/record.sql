-- Adds one delivery record (run by the delivery on a write connection).
--
-- Parameters:
--   $week, $recipient_id, $channel, $status, $attempts, $detail   the record's values

insert into delivery_log values ($week::date, $recipient_id, $channel, $status, $attempts, $detail, now());
