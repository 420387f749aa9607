-- Replaces the recipient list by the rows of the registered frame `recipients_frame`
-- (run on a write connection by the delivery page's save).

delete from delivery_recipient;
insert into delivery_recipient by name
select
    recipient_id::integer as recipient_id, name, scope_department, scope_territory, scope_cm,
    coalesce(lang, 'zh') as lang, coalesce(formats, 'xlsx') as formats, email, wecom_webhook,
    dingtalk_webhook, dingtalk_secret, coalesce(active, true) as active
from recipients_frame;
