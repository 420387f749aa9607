"""A delivery run: every active recipient gets the week's 周报 of their scope on each of their
channels, once. Each send is noted in the outbox as it happens and recorded in the store's
delivery log, so a second run (even after a killed one) sends nothing again unless forced;
what failed after its retries is recorded too, for the admins' delivery page."""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass

from marketpulse import metrics, store
from marketpulse.deliver import outbox
from marketpulse.deliver.channels import Message, SmtpConfig, send_dingtalk, send_email, send_wecom
from marketpulse.deliver.compose import compose, with_footer
from marketpulse.deliver.retry import ATTEMPTS, BACKOFF, with_retries
from marketpulse.views import delivery as book

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Outcome:
    """What happened to one recipient × channel in a run."""

    recipient_id: int
    name: str
    channel: str
    status: str  # sent | failed | skipped (sent before) | dry_run
    attempts: int
    detail: str


def send(channel: str, recipient: dict, message: Message, smtp: SmtpConfig) -> str:
    """Send `message` on one of the recipient's channels; what went out."""
    if channel == "email":
        return send_email(smtp, recipient["email"], message)
    if channel == "wecom":
        return send_wecom(recipient["wecom_webhook"], message)
    return send_dingtalk(recipient["dingtalk_webhook"], recipient.get("dingtalk_secret"), message)


def deliver(
    week: dt.date,
    *,
    dry_run: bool = False,
    force: bool = False,
    smtp: SmtpConfig | None = None,
    attempts: int = ATTEMPTS,
    backoff: float = BACKOFF,
    sleep: Callable[[float], None] = time.sleep,
) -> list[Outcome]:
    """Deliver the 周报 of `week` (any day: its Monday) to every active recipient.

    A recipient × channel already sent this week is skipped unless `force`. `dry_run` builds
    every message but sends and records nothing. Failed sends are retried (`attempts` in all,
    waiting `backoff`·2^k seconds) and recorded as failed.
    """
    week = metrics.week_of(week)
    smtp = smtp or SmtpConfig.from_env()
    outbox.flush(_write)  # what a killed run sent counts as sent
    done = set() if force else book.sent_channels(week)
    outcomes: list[Outcome] = []

    def noted(outcome: Outcome) -> Outcome:
        if outcome.status in ("sent", "failed") and not dry_run:
            outbox.note(week, asdict(outcome))
        return outcome

    try:
        for recipient in book.recipients().to_dict("records"):
            if not recipient["active"]:
                continue
            outcomes += _one(
                week, recipient, done, dry_run, smtp, lambda fn: with_retries(fn, attempts, backoff, sleep), noted
            )
    finally:  # whatever went out is recorded, even if the run is interrupted
        outbox.flush(_write)
    return outcomes


def _one(week, recipient: dict, done: set, dry_run: bool, smtp: SmtpConfig, retrying, noted) -> list[Outcome]:
    rid, name, lang = int(recipient["recipient_id"]), recipient["name"], recipient.get("lang") or "zh"
    channels = book.channels_of(recipient)
    out = [Outcome(rid, name, c, "skipped", 0, "") for c in channels if (rid, c) in done]
    todo = [c for c in channels if (rid, c) not in done]
    if not todo:
        return out
    try:
        message = compose(week, recipient)
    except Exception as exc:  # a report that cannot be built is a failure of each channel, recorded
        logger.exception("the 周报 for recipient %s could not be built", rid)
        return out + [noted(Outcome(rid, name, c, "failed", 1, f"report: {exc}")) for c in todo]
    for channel in todo:
        shaped = with_footer(message, channel, lang)
        if dry_run:
            out.append(Outcome(rid, name, channel, "dry_run", 0, _planned(channel, recipient, shaped)))
            continue
        tried = retrying(lambda c=channel, m=shaped: send(c, recipient, m, smtp))
        out.append(noted(Outcome(rid, name, channel, "sent" if tried.ok else "failed", tried.attempts, tried.detail)))
    return out


def _planned(channel: str, recipient: dict, message: Message) -> str:
    to = {"email": recipient.get("email"), "wecom": "企业微信 robot", "dingtalk": "钉钉 robot"}[channel]
    files = ", ".join(a.filename for a in message.attachments) if channel != "dingtalk" else "markdown"
    return f"{to}: {files}"


def record(week: dt.date, outcomes: list[Outcome]) -> None:
    """Add the sent and failed outcomes to the delivery log, in one write."""
    _write([{"week": week, **asdict(o)} for o in outcomes])


def _write(rows: list[dict]) -> None:
    """Outcomes of any weeks (dicts with `week` and Outcome's fields) into the log, in one write."""
    with store.writer() as con:
        for r in rows:
            store.execute_file(
                con,
                "deliver/record.sql",
                {k: r[k] for k in ("week", "recipient_id", "channel", "status", "attempts", "detail")},
            )
