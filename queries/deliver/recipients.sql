-- One row per 周报 recipient (delivery_recipient), in id order: who gets which scope by which channel.
--
-- Parameters: none.
-- Columns: those of delivery_recipient (schema/012_delivery.sql).

select
    recipient_id, name, scope_department, scope_territory, scope_cm, lang, formats,
    email, wecom_webhook, dingtalk_webhook, dingtalk_secret, active
from delivery_recipient
order by recipient_id
