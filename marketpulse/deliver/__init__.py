"""Delivery of the Monday 周报 and the week's high alerts: e-mail, 企业微信 and 钉钉 group robots.
May import report, views, metrics, store, i18n and numbers (it sits above report); only the CLI imports it.

`deliver(week)` sends each active recipient (the list admins edit on the delivery page) the
周报 of their own scope, retrying failures with backoff and recording every send, so a week
is never sent twice to the same recipient and channel unless forced.
"""

from marketpulse.deliver.channels import (
    Attachment,
    Message,
    SendError,
    SmtpConfig,
    dingtalk_sign,
    dingtalk_url,
    send_dingtalk,
    send_email,
    send_wecom,
    wecom_upload_url,
)
from marketpulse.deliver.compose import compose, high_alerts, scope_name, scope_of
from marketpulse.deliver.retry import Tried, with_retries
from marketpulse.deliver.run import Outcome, deliver, record

__all__ = [
    "Attachment",
    "Message",
    "Outcome",
    "SendError",
    "SmtpConfig",
    "Tried",
    "compose",
    "deliver",
    "dingtalk_sign",
    "dingtalk_url",
    "high_alerts",
    "record",
    "scope_name",
    "scope_of",
    "send_dingtalk",
    "send_email",
    "send_wecom",
    "wecom_upload_url",
    "with_retries",
]
