"""投递 Delivery: who gets the Monday 周报 of which scope by which channel (the list admins
edit), what was sent, and which sends failed."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from marketpulse import i18n, store
from marketpulse.errors import RuleError

COLUMNS = (
    "recipient_id",
    "name",
    "scope_department",
    "scope_territory",
    "scope_cm",
    "lang",
    "formats",
    "email",
    "wecom_webhook",
    "dingtalk_webhook",
    "dingtalk_secret",
    "active",
)
FORMATS = ("xlsx", "pdf")
CHANNELS = ("email", "wecom", "dingtalk")
LOG_ROWS = 200  # the page shows the newest records


@dataclass
class Delivery:
    recipients: pd.DataFrame
    failures: pd.DataFrame
    log: pd.DataFrame


def recipients(path: Path | str | None = None) -> pd.DataFrame:
    """The recipient list, one row per recipient (columns COLUMNS)."""
    return store.reader(path).query("deliver/recipients", {})


def channels_of(recipient: dict) -> list[str]:
    """The channels a recipient row asks for, in CHANNELS order."""
    wanted = {"email": "email", "wecom": "wecom_webhook", "dingtalk": "dingtalk_webhook"}
    return [c for c in CHANNELS if _text(recipient.get(wanted[c]))]


def sent_channels(week: dt.date, path: Path | str | None = None) -> set[tuple[int, str]]:
    """(recipient_id, channel) pairs already sent the 周报 of `week`."""
    frame = store.reader(path).query("deliver/sent", {"week": week})
    return {(int(r), c) for r, c in zip(frame["recipient_id"], frame["channel"], strict=True)}


def delivery_log(week: dt.date | None = None, path: Path | str | None = None) -> pd.DataFrame:
    """Delivery records, newest first; of one week when `week` is given."""
    return store.reader(path).query("deliver/log", {"week": week})


def failures(path: Path | str | None = None) -> pd.DataFrame:
    """Week × recipient × channel whose latest attempt failed (cleared by a later send)."""
    return store.reader(path).query("deliver/failures", {})


def delivery_page(lang: str, path: Path | str | None = None) -> Delivery:
    """What the delivery page shows: the editable list, open failures, the newest records."""
    log = delivery_log(None, path).head(LOG_ROWS)
    return Delivery(recipients(path), failures(path), log)


def _text(value) -> str | None:
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NA:
        return None
    return str(value).strip() or None


def check_recipients(frame: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """The edited list made whole: blank text as null, new rows numbered, values checked.

    Raises RuleError (bilingual) for a row without a name, an unknown language or format.
    """
    rows = []
    for _, row in frame.reindex(columns=list(COLUMNS)).iterrows():
        rec = {c: _text(row[c]) for c in COLUMNS if c not in ("recipient_id", "active")}
        if not any(rec.values()):
            continue  # an empty row the editor left
        rec["recipient_id"] = None if pd.isna(row["recipient_id"]) else int(row["recipient_id"])
        rec["active"] = True if pd.isna(row["active"]) else bool(row["active"])
        rec["lang"] = rec["lang"] or "zh"
        rec["formats"] = ",".join(f.strip().lower() for f in (rec["formats"] or "xlsx").split(",") if f.strip())
        problem = None
        if not rec["name"]:
            problem = "delivery.error.name"
        elif rec["lang"] not in i18n.LANGS:
            problem = "delivery.error.lang"
        elif not rec["formats"] or set(rec["formats"].split(",")) - set(FORMATS):
            problem = "delivery.error.formats"
        if problem:
            raise RuleError(" / ".join(i18n.t(problem, x, row=len(rows) + 1) for x in i18n.LANGS))
        rows.append(rec)
    out = pd.DataFrame(rows, columns=list(COLUMNS))
    taken = [i for i in out["recipient_id"] if i is not None and not pd.isna(i)]
    next_id = max(taken, default=0) + 1
    for i in out.index:
        if out.at[i, "recipient_id"] is None or pd.isna(out.at[i, "recipient_id"]):
            out.at[i, "recipient_id"] = next_id
            next_id += 1
    if out["recipient_id"].duplicated().any():
        raise RuleError(" / ".join(i18n.t("delivery.error.duplicate_id", x) for x in i18n.LANGS))
    return out.astype({"recipient_id": "int64", "active": "bool"})


def save_recipients(frame: pd.DataFrame, path: Path | str | None = None) -> int:
    """Replace the recipient list by the edited rows (checked first, all or nothing); rows kept."""
    checked = check_recipients(frame)
    with store.writer(path) as con:
        cur = con.cursor()  # its own cursor: the writer's connection may hold the migration's last result
        try:
            cur.register("recipients_frame", checked)
            store.execute_file(cur, "deliver/replace_recipients.sql")
        finally:
            cur.close()
    return len(checked)
