"""Delivering the 周报: against real local servers started here — an SMTP server (aiosmtpd)
that receives the messages with their attachments, and an HTTP server playing the 企业微信
and 钉钉 group robots (the 钉钉 signature checked as the robot checks it); a failing server
exercises the retries; a week is never sent twice unless forced."""

from __future__ import annotations

import base64
import datetime as dt
import email
import email.policy
import hashlib
import hmac
import io
import json
import shutil
import socket
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pandas as pd
import pytest
from aiosmtpd.controller import Controller
from streamlit.testing.v1 import AppTest

from marketpulse import cli, deliver, i18n, metrics, report, store
from marketpulse.deliver import outbox, run
from marketpulse.views import delivery as book

ROOT = Path(__file__).resolve().parent.parent
WEEK = dt.date(2026, 11, 16)  # the demo_store fixture's last week
SECRET = "SEC0123456789abcdef"
TERRITORY = "T0201"  # 石桥片区 in the small demo city: a stock-out alert of high severity that week


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Inbox:
    """aiosmtpd handler keeping every message it receives."""

    def __init__(self):
        self.messages: list[tuple[list[str], email.message.Message]] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        self.messages.append(
            (list(envelope.rcpt_tos), email.message_from_bytes(envelope.content, policy=email.policy.default))
        )
        return "250 OK"


@pytest.fixture
def smtp():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    try:
        yield inbox, deliver.SmtpConfig(host="127.0.0.1", port=controller.port, sender="周报 <mp@example.test>")
    finally:
        controller.stop()


class Robots(BaseHTTPRequestHandler):
    """企业微信 (/cgi-bin/webhook/…) and 钉钉 (/robot/send) robots; /flaky fails `fail_first` times."""

    posts: list[dict] = []
    fail_first = 0

    def log_message(self, *args):
        pass

    def _answer(self, code: int, body: dict) -> None:
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):  # noqa: N802
        url = urllib.parse.urlsplit(self.path)
        query = dict(urllib.parse.parse_qsl(url.query))
        body = self.rfile.read(int(self.headers["Content-Length"]))
        post = {"path": url.path, "query": query, "type": self.headers["Content-Type"], "body": body}
        type(self).posts.append(post)
        if url.path == "/broken/send":
            return self._answer(500, {})
        if url.path == "/flaky/send":
            type(self).fail_first -= 1
            if type(self).fail_first >= 0:
                return self._answer(503, {})
        if url.path.endswith("/upload_media"):
            assert query["type"] == "file" and query["key"] == "k1"
            return self._answer(200, {"errcode": 0, "errmsg": "ok", "media_id": f"m{len(type(self).posts)}"})
        if url.path == "/robot/send":
            stamp = query.get("timestamp", "0")
            expected = base64.b64encode(
                hmac.new(SECRET.encode(), f"{stamp}\n{SECRET}".encode(), hashlib.sha256).digest()
            ).decode()
            fresh = abs(time.time() * 1000 - int(stamp)) < 3600_000
            if query.get("sign") != expected or not fresh:
                return self._answer(200, {"errcode": 310000, "errmsg": "sign not match"})
        return self._answer(200, {"errcode": 0, "errmsg": "ok"})


@pytest.fixture
def robots():
    Robots.posts, Robots.fail_first = [], 0
    server = ThreadingHTTPServer(("127.0.0.1", 0), Robots)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def city(demo_store, tmp_path, monkeypatch):
    path = tmp_path / "store.duckdb"
    shutil.copyfile(demo_store, path)
    monkeypatch.setenv("MARKETPULSE_DB", str(path))
    return path


def _recipients(robots: str, **extra) -> pd.DataFrame:
    rows = [
        {
            "name": "营销中心",
            "email": "center@example.test, analyst@example.test",
            "wecom_webhook": f"{robots}/cgi-bin/webhook/send?key=k1",
            "dingtalk_webhook": f"{robots}/robot/send?access_token=t1",
            "dingtalk_secret": SECRET,
            "formats": "pdf,xlsx",
        },
        {"name": "石桥片区经理", "scope_territory": TERRITORY, "email": "shiqiao@example.test", "lang": "zh"},
        {"name": "Area manager", "scope_territory": TERRITORY, "lang": "en", "wecom_webhook": None, **extra},
    ]
    return pd.DataFrame(rows)


def _run(smtp_config, **kw):
    sleeps: list[float] = []
    outcomes = deliver.deliver(WEEK, smtp=smtp_config, backoff=0.5, sleep=sleeps.append, **kw)
    return outcomes, sleeps


def _sheets(data: bytes) -> dict[str, pd.DataFrame]:
    return pd.read_excel(io.BytesIO(data), sheet_name=None, header=None, engine="calamine")


def test_each_recipient_gets_the_report_of_their_scope_by_mail_and_robots(city, smtp, robots):
    inbox, config = smtp
    assert book.save_recipients(_recipients(robots)) == 3
    outcomes, _ = _run(config)
    by = {(o.recipient_id, o.channel): o for o in outcomes}
    assert {k: o.status for k, o in by.items()} == {
        (1, "email"): "sent",
        (1, "wecom"): "sent",
        (1, "dingtalk"): "sent",
        (2, "email"): "sent",
    }
    # e-mail: one message per recipient, to every address, the workbook of their own scope attached
    assert len(inbox.messages) == 2
    (to_city, city_mail), (to_ter, ter_mail) = inbox.messages
    assert to_city == ["center@example.test", "analyst@example.test"] and to_ter == ["shiqiao@example.test"]
    assert "石桥片区" in ter_mail["Subject"] and "2026-11-16" in ter_mail["Subject"]
    files = {p.get_filename(): p.get_payload(decode=True) for p in ter_mail.walk() if p.get_filename()}
    assert list(files) == ["营销周报_2026-11-16_石桥片区.xlsx"]
    expected = report.workbook(WEEK, {}, store.Scope(territory_code=TERRITORY), "zh")
    got, want = _sheets(files["营销周报_2026-11-16_石桥片区.xlsx"]), _sheets(expected)
    assert list(got) == list(want)
    for name in want:
        pd.testing.assert_frame_equal(got[name], want[name])
    # asked for PDF and XLSX: both, from one build of the 周报
    city_files = {p.get_filename(): p.get_payload(decode=True) for p in city_mail.walk() if p.get_filename()}
    assert list(city_files) == ["营销周报_2026-11-16_全市.pdf", "营销周报_2026-11-16_全市.xlsx"]
    assert city_files["营销周报_2026-11-16_全市.pdf"].startswith(b"%PDF")
    body = city_mail.get_body(("plain",)).get_content()
    assert "附件:营销周报_2026-11-16_全市.pdf, 营销周报_2026-11-16_全市.xlsx" in body
    # the high alerts of the territory, and only those, in its manager's text
    high = metrics.alerts(WEEK, WEEK, store.Scope(territory_code=TERRITORY))
    high = high[high.severity == "high"]
    text = ter_mail.get_body(("plain",)).get_content()
    assert len(high) >= 1 and all(r in text for r in high.reason_zh)
    everywhere = metrics.alerts(WEEK, WEEK)
    others = everywhere[(everywhere.severity == "high") & (everywhere.territory_code != TERRITORY)]
    assert len(others) and not any(r in text for r in others.reason_zh)
    # 企业微信: the markdown, then the workbook uploaded and posted as a file message
    wecom = [p for p in Robots.posts if p["path"].startswith("/cgi-bin")]
    first = json.loads(wecom[0]["body"])
    assert first["msgtype"] == "markdown" and "全市" in first["markdown"]["content"]
    assert wecom[1]["type"].startswith("multipart/form-data")
    assert [p["path"].rsplit("/", 1)[1] for p in wecom] == ["send", "upload_media", "send", "upload_media", "send"]
    assert b"%PDF" in wecom[1]["body"] and b"PK\x03\x04" in wecom[3]["body"]
    assert json.loads(wecom[2]["body"]) == {"msgtype": "file", "file": {"media_id": "m2"}}
    # 钉钉: signed (the server checked it), markdown with the alerts
    ding = [p for p in Robots.posts if p["path"] == "/robot/send"]
    assert len(ding) == 1 and ding[0]["query"]["access_token"] == "t1"
    message = json.loads(ding[0]["body"])
    assert message["msgtype"] == "markdown" and "营销周报" in message["markdown"]["title"]
    # the record the admins see
    log = book.delivery_log(WEEK)
    assert len(log) == 4 and set(log.status) == {"sent"} and book.failures().empty


def test_a_week_is_not_sent_twice_unless_forced(city, smtp, robots):
    inbox, config = smtp
    book.save_recipients(_recipients(robots).iloc[[1]])
    assert [o.status for o in _run(config)[0]] == ["sent"]
    again, _ = _run(config)
    assert [o.status for o in again] == ["skipped"] and len(inbox.messages) == 1
    forced, _ = _run(config, force=True)
    assert [o.status for o in forced] == ["sent"] and len(inbox.messages) == 2
    # another week is another delivery
    assert [o.status for o in deliver.deliver(WEEK - dt.timedelta(weeks=1), smtp=config)] == ["sent"]
    assert len(book.delivery_log(WEEK)) == 2


def test_without_a_chinese_font_the_workbook_goes_instead_of_the_pdf(city, smtp, robots, monkeypatch):
    inbox, config = smtp
    book.save_recipients(pd.DataFrame([{"name": "领导", "email": "boss@example.test", "formats": "pdf"}]))

    def no_font(doc):
        raise report.FontMissing("no font")

    monkeypatch.setattr(report, "pdf_of", no_font)
    assert [o.status for o in _run(config)[0]] == ["sent"]
    mail = inbox.messages[0][1]
    assert [p.get_filename() for p in mail.walk() if p.get_filename()] == ["营销周报_2026-11-16_全市.xlsx"]
    assert "无法生成 PDF" in mail.get_body(("plain",)).get_content()


def test_dry_run_builds_everything_and_sends_nothing(city, smtp, robots):
    inbox, config = smtp
    book.save_recipients(_recipients(robots))
    outcomes, _ = _run(config, dry_run=True)
    assert {o.status for o in outcomes} == {"dry_run"} and len(outcomes) == 4
    assert "营销周报_2026-11-16_全市.pdf, 营销周报_2026-11-16_全市.xlsx" in outcomes[0].detail
    assert not inbox.messages and not Robots.posts and book.delivery_log().empty


def test_a_flaky_robot_is_retried_with_backoff(city, smtp, robots):
    _, config = smtp
    Robots.fail_first = 2
    book.save_recipients(pd.DataFrame([{"name": "群", "wecom_webhook": f"{robots}/flaky/send?key=k1"}]))
    outcomes, sleeps = _run(config)
    assert [(o.status, o.attempts) for o in outcomes] == [("sent", 3)]
    assert sleeps == [0.5, 1.0]  # backoff doubling between tries


def test_a_failing_server_is_retried_then_recorded_for_the_admins(city, smtp, robots):
    _, config = smtp
    book.save_recipients(
        pd.DataFrame(
            [
                {"name": "坏群", "wecom_webhook": f"{robots}/broken/send?key=k1"},
                {"name": "错签名", "dingtalk_webhook": f"{robots}/robot/send?access_token=t", "dingtalk_secret": "x"},
            ]
        )
    )
    outcomes, sleeps = _run(config, attempts=3)
    assert [(o.channel, o.status, o.attempts) for o in outcomes] == [("wecom", "failed", 3), ("dingtalk", "failed", 1)]
    assert sleeps == [0.5, 1.0]  # a wrong signature is not tried again: only the server error is
    assert "HTTP 500" in outcomes[0].detail and "310000" in outcomes[1].detail
    open_failures = book.failures()
    assert set(open_failures.name) == {"坏群", "错签名"}
    # a failure is not "sent": the next run tries again, and a success clears it (the other
    # recipient, taken off the list, drops out of the open failures)
    book.save_recipients(
        pd.DataFrame([{"recipient_id": 1, "name": "坏群", "wecom_webhook": f"{robots}/cgi-bin/webhook/send?key=k1"}])
    )
    assert [o.status for o in _run(config)[0]] == ["sent"]
    assert book.failures().empty


def test_an_unreachable_smtp_server_is_a_recorded_failure(city, robots):
    book.save_recipients(pd.DataFrame([{"name": "邮件", "email": "a@example.test"}]))
    config = deliver.SmtpConfig(host="127.0.0.1", port=_free_port())
    outcomes, sleeps = _run(config, attempts=2)
    assert [(o.status, o.attempts) for o in outcomes] == [("failed", 2)] and sleeps == [0.5]
    assert len(book.failures()) == 1


def test_dingtalk_signature_and_wecom_upload_address():
    # 钉钉's documented scheme: HMAC-SHA256 over "timestamp\nsecret" keyed by the secret, base64, URL-encoded
    sign = deliver.dingtalk_sign("SECabc", 1700000000000)
    digest = hmac.new(b"SECabc", b"1700000000000\nSECabc", hashlib.sha256).digest()
    assert sign == base64.b64encode(digest).decode()
    url = deliver.dingtalk_url("https://oapi.dingtalk.com/robot/send?access_token=t", "SECabc", 1700000000000)
    assert url == (
        "https://oapi.dingtalk.com/robot/send?access_token=t&timestamp=1700000000000&sign="
        + urllib.parse.quote_plus(sign)
    )
    assert deliver.wecom_upload_url("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=K") == (
        "https://qyapi.weixin.qq.com/cgi-bin/webhook/upload_media?key=K&type=file"
    )


def test_the_recipient_list_is_checked_before_it_is_saved(city):
    with pytest.raises(ValueError, match="名称"):
        book.save_recipients(pd.DataFrame([{"name": "", "email": "a@example.test"}]))
    with pytest.raises(ValueError, match="formats"):
        book.save_recipients(pd.DataFrame([{"name": "x", "formats": "docx"}]))
    assert book.save_recipients(pd.DataFrame([{"name": "x", "formats": "XLSX, pdf"}, {"name": "y"}])) == 2
    saved = book.recipients()
    assert list(saved.recipient_id) == [1, 2] and list(saved.formats) == ["xlsx,pdf", "xlsx"]
    assert list(saved.lang) == ["zh", "zh"] and saved.active.all()


def test_the_command_line(city, smtp, robots, monkeypatch, capsys):
    inbox, config = smtp
    book.save_recipients(_recipients(robots).iloc[[1]])
    monkeypatch.setenv("MARKETPULSE_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("MARKETPULSE_SMTP_PORT", str(config.port))
    assert cli.main(["deliver", "--week", "2026-11-18", "--dry-run"]) == 0
    assert "dry run" in capsys.readouterr().out and not inbox.messages
    assert cli.main(["deliver", "--week", "2026-11-18"]) == 0
    assert "1 sends, 0 failed" in capsys.readouterr().out and len(inbox.messages) == 1
    assert cli.main(["deliver", "--week", "2026-11-16"]) == 0
    assert "skipped" in capsys.readouterr().out and len(inbox.messages) == 1
    assert cli.main(["deliver", "--week", "someday"]) == 2


DELIVERY_PAGE = "app_pages/13_delivery.py"


def _delivery_page(signed_in, monkeypatch, name: str) -> AppTest:
    """The app signed in as `name`, on the delivery page."""
    at = signed_in(AppTest.from_file(str(ROOT / "app.py"), default_timeout=90), name).run()
    at.switch_page(DELIVERY_PAGE).run()
    return at


def test_the_delivery_page_shows_open_failures_and_saves_the_list(city, smtp, robots, signed_in, monkeypatch):
    _, config = smtp
    book.save_recipients(pd.DataFrame([{"name": "坏群", "wecom_webhook": f"{robots}/broken/send?key=k1"}]))
    _run(config, attempts=1)
    at = _delivery_page(signed_in, monkeypatch, "admin")
    assert not at.exception
    assert at.title[0].value == "周报投递"
    assert any("发送失败" in e.value for e in at.error)
    assert "HTTP 500" in at.dataframe[0].value.to_string()
    at.button(key="delivery_save").click().run()
    assert not at.exception and "已保存 1 位收件人" in at.success[-1].value
    # an account without the administrators' rights: the page refuses at its address, showing nothing
    refused = _delivery_page(signed_in, monkeypatch, "center")
    assert [e.value for e in refused.error] == [i18n.t("auth.refused", "zh")]
    assert not refused.dataframe and not refused.data_editor and not refused.exception


class Killed(BaseException):
    """Stands for the process being killed: no `except` or `finally` of the run sees it."""


def test_a_run_killed_after_two_sends_sends_them_not_again(city, smtp, robots, monkeypatch):
    inbox, config = smtp
    book.save_recipients(_recipients(robots))
    real_send, sent = run.send, []

    def send_then_die(channel, recipient, message, smtp_config):
        if len(sent) == 2:
            raise Killed
        sent.append((recipient["recipient_id"], channel))
        return real_send(channel, recipient, message, smtp_config)

    monkeypatch.setattr(run, "send", send_then_die)
    monkeypatch.setattr(outbox, "flush", lambda write, path=None: 0)  # a kill runs no clean-up
    with pytest.raises(Killed):
        _run(config)
    assert book.delivery_log(WEEK).empty and len(outbox.pending()) == 2  # on disk, not yet in the store
    monkeypatch.undo()
    monkeypatch.setenv("MARKETPULSE_DB", str(city))
    again, _ = _run(config)
    by_pair = {(o.recipient_id, o.channel): o.status for o in again}
    assert [by_pair[p] for p in sent] == ["skipped", "skipped"]
    assert sorted(s for p, s in by_pair.items() if p not in sent) == ["sent", "sent"]
    log = book.delivery_log(WEEK)
    assert len(log) == 4 and not log.duplicated(["recipient_id", "channel"]).any()
    assert not outbox.pending()
