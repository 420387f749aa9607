"""One recipient's message: the 周报 of their own scope as files, and the week's high-severity
alerts within that scope as a short markdown text (the same for e-mail and the robots)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging

import pandas as pd

from marketpulse import i18n, metrics, numbers, report, store
from marketpulse.deliver.channels import Attachment, Message

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF = "application/pdf"
logger = logging.getLogger(__name__)

ALERT_LINES = 10  # the text lists this many high alerts; the workbook has them all


def scope_of(recipient: dict) -> store.Scope:
    """The recipient's scope from the row's scope_* columns (all empty: the whole city)."""

    def text(key):
        value = recipient.get(key)
        return None if value is None or pd.isna(value) or not str(value).strip() else str(value).strip()

    return store.Scope(text("scope_department"), text("scope_territory"), text("scope_cm"))


def scope_name(scope: store.Scope, lang: str) -> str:
    """The scope in words, as the 周报 names it: 全市, or the 市场部, 片区 or customer manager."""
    return report.scope_name(scope, lang)


def high_alerts(week: dt.date, scope: store.Scope) -> pd.DataFrame:
    """The week's high-severity alerts within `scope`, most severe first."""
    found = metrics.alerts(week, week, scope)
    return found[found["severity"] == "high"].reset_index(drop=True)


def report_files(week: dt.date, scope: store.Scope, lang: str, formats: str) -> tuple[tuple[Attachment, ...], bool]:
    """The 周报 of `scope` as the files the recipient asked for (one build for both), and whether
    a PDF asked for could not be made (no Chinese font on this machine): the workbook goes instead."""
    wanted = set(formats.split(","))
    doc = report.weekly(week, {}, scope, lang)
    files, missing = [], False
    if "pdf" in wanted:
        try:
            files.append(Attachment(report.file_name(week, scope, lang, "pdf"), report.pdf_of(doc), PDF))
        except report.FontMissing:
            logger.warning("no Chinese font for the PDF 周报: sending the workbook instead")
            missing = True
    if "xlsx" in wanted or not files:
        files.append(Attachment(report.file_name(week, scope, lang, "xlsx"), report.workbook_of(doc), XLSX))
    return tuple(files), missing


def alert_lines(alerts: pd.DataFrame, lang: str) -> list[str]:
    """One markdown bullet per alert: its kind, the sentence with its numbers, since when."""
    reason, kind = ("reason_zh", "kind_zh") if lang == "zh" else ("reason_en", "kind_en")
    lines = []
    for _, a in alerts.head(ALERT_LINES).iterrows():
        since = i18n.t(
            "deliver.since",
            lang,
            week=pd.Timestamp(a["since_week"]).date().isoformat(),
            weeks=numbers.show(a["weeks_running"], "count", lang, with_unit=False),
        )
        lines.append(
            f"- **{a[kind]}** {a[reason]}({since})" if lang == "zh" else f"- **{a[kind]}** {a[reason]} ({since})"
        )
    return lines


def compose(week: dt.date, recipient: dict) -> Message:
    """The message for one recipient row: subject, markdown and the 周报 files of their scope."""
    lang = recipient.get("lang") or "zh"
    scope = scope_of(recipient)
    name = scope_name(scope, lang)
    t = lambda key, **kw: i18n.t(key, lang, **kw)  # noqa: E731
    subject = t("deliver.subject", week=week.isoformat(), iso=week.isocalendar()[1], scope=name)
    formats = str(recipient.get("formats") or "xlsx")
    files, no_pdf = report_files(week, scope, lang, formats)
    alerts = high_alerts(week, scope)
    lines = [f"### {subject}", ""]
    if len(alerts):
        lines += [t("deliver.alerts", n=numbers.show(len(alerts), "count", lang, with_unit=False)), ""]
        lines += alert_lines(alerts, lang)
        if len(alerts) > ALERT_LINES:
            lines += ["", t("deliver.more", n=len(alerts) - ALERT_LINES)]
    else:
        lines.append(t("deliver.no_alerts"))
    if no_pdf:
        lines += ["", t("deliver.no_pdf")]
    return Message(subject, "\n".join(lines), files)


def with_footer(message: Message, channel: str, lang: str) -> Message:
    """The message as sent on `channel`: e-mail and 企业微信 name the attached files; a 钉钉 robot
    cannot carry files, so its text says where the 周报 is."""
    files = ", ".join(f.filename for f in message.attachments)
    key = "deliver.files_elsewhere" if channel == "dingtalk" else "deliver.attached"
    return dataclasses.replace(message, markdown=message.markdown + "\n\n" + i18n.t(key, lang, files=files))
