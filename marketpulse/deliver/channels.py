"""The three ways a 周报 leaves the building: e-mail over SMTP (with attachments), a 企业微信
group robot and a 钉钉 group robot (webhooks; 钉钉's signed with the robot's 加签 secret).

Each sender raises SendError on failure, marked transient when trying again may help (a
dropped connection, a server error, a rate limit) so the retry loop knows when to stop early.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import smtplib
import ssl
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formataddr, getaddresses

TIMEOUT = 20  # seconds per HTTP request or SMTP conversation
WECOM_MARKDOWN_BYTES = 4096  # the robot refuses longer markdown
DINGTALK_MARKDOWN_BYTES = 20000
# robot error codes that mean "too many messages, try later"
WECOM_RATE_LIMITED = {45009, 45033}
DINGTALK_RATE_LIMITED = {130101, -1}


class SendError(RuntimeError):
    """A message that did not go out; `transient` when a later try may succeed."""

    def __init__(self, message: str, transient: bool):
        super().__init__(message)
        self.transient = transient


@dataclass(frozen=True)
class Attachment:
    filename: str
    data: bytes
    mimetype: str  # "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "application/pdf"


@dataclass(frozen=True)
class Message:
    """One recipient's delivery: a subject, a markdown body and the report files."""

    subject: str
    markdown: str
    attachments: tuple[Attachment, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class SmtpConfig:
    """Where e-mail goes out: from MARKETPULSE_SMTP_* environment variables (secrets stay out of the store)."""

    host: str | None
    port: int = 25
    user: str | None = None
    password: str | None = None
    sender: str = "marketpulse@localhost"
    security: str = "none"  # none | starttls | ssl

    @classmethod
    def from_env(cls, env: dict | None = None) -> SmtpConfig:
        env = os.environ if env is None else env
        security = env.get("MARKETPULSE_SMTP_SECURITY", "none").lower()
        default_port = {"ssl": 465, "starttls": 587}.get(security, 25)
        return cls(
            host=env.get("MARKETPULSE_SMTP_HOST") or None,
            port=int(env.get("MARKETPULSE_SMTP_PORT") or default_port),
            user=env.get("MARKETPULSE_SMTP_USER") or None,
            password=env.get("MARKETPULSE_SMTP_PASSWORD") or None,
            sender=env.get("MARKETPULSE_SMTP_FROM") or cls.sender,
            security=security,
        )


def secret_value(value: str | None) -> str | None:
    """A secret as configured: `env:NAME` reads the environment variable NAME."""
    if value and value.startswith("env:"):
        return os.environ.get(value[4:]) or None
    return value


# ── e-mail ───────────────────────────────────────────────────────────────────


def email_message(sender: str, to: str, message: Message) -> EmailMessage:
    """The MIME message: the markdown as plain text, each report file attached."""
    mail = EmailMessage()
    mail["Subject"] = message.subject
    mail["From"] = sender
    mail["To"] = ", ".join(formataddr(a) for a in getaddresses([to]) if a[1])
    mail.set_content(message.markdown)
    for a in message.attachments:
        maintype, _, subtype = a.mimetype.partition("/")
        mail.add_attachment(a.data, maintype=maintype, subtype=subtype, filename=a.filename)
    return mail


def send_email(config: SmtpConfig, to: str, message: Message) -> str:
    """Send `message` to the addresses in `to` (comma-separated); returns what was sent."""
    if not config.host:
        raise SendError("MARKETPULSE_SMTP_HOST is not set", transient=False)
    mail = email_message(config.sender, to, message)
    try:
        if config.security == "ssl":
            server = smtplib.SMTP_SSL(config.host, config.port, timeout=TIMEOUT, context=ssl.create_default_context())
        else:
            server = smtplib.SMTP(config.host, config.port, timeout=TIMEOUT)
        with server:
            if config.security == "starttls":
                server.starttls(context=ssl.create_default_context())
            if config.user:
                server.login(config.user, secret_value(config.password) or "")
            server.send_message(mail)
    except smtplib.SMTPRecipientsRefused as exc:
        raise SendError(f"SMTP refused the recipients: {exc.recipients}", transient=False) from exc
    except smtplib.SMTPResponseException as exc:
        raise SendError(f"SMTP {exc.smtp_code}: {exc.smtp_error!r}", transient=400 <= exc.smtp_code < 500) from exc
    except (OSError, smtplib.SMTPException) as exc:
        raise SendError(f"SMTP: {exc}", transient=True) from exc
    return ", ".join(a.filename for a in message.attachments) or "text"


# ── group robots ─────────────────────────────────────────────────────────────


def _post(url: str, body: bytes, content_type: str) -> dict:
    """POST to a robot; its JSON answer. HTTP 5xx, 429 and network errors are transient."""
    request = urllib.request.Request(url, data=body, headers={"Content-Type": content_type}, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
            answer = response.read()
    except urllib.error.HTTPError as exc:
        raise SendError(f"HTTP {exc.code} from the robot", transient=exc.code >= 500 or exc.code == 429) from exc
    except (urllib.error.URLError, OSError) as exc:
        raise SendError(f"robot unreachable: {exc}", transient=True) from exc
    try:
        return json.loads(answer or b"{}")
    except ValueError as exc:
        raise SendError(f"robot answered no JSON: {answer[:200]!r}", transient=True) from exc


def _check(answer: dict, rate_limited: set[int]) -> dict:
    code = answer.get("errcode", 0)
    if code != 0:
        raise SendError(f"robot error {code}: {answer.get('errmsg')}", transient=code in rate_limited)
    return answer


def _clip(text: str, limit: int) -> str:
    """`text` cut to `limit` UTF-8 bytes at a line end."""
    if len(text.encode("utf-8")) <= limit:
        return text
    lines, size = [], 0
    for line in text.splitlines():
        size += len(line.encode("utf-8")) + 1
        if size > limit - 8:
            break
        lines.append(line)
    return "\n".join(lines + ["…"])


def send_wecom(webhook: str, message: Message) -> str:
    """企业微信 robot: the markdown, then each report file (uploaded, then posted as a file message)."""
    body = {"msgtype": "markdown", "markdown": {"content": _clip(message.markdown, WECOM_MARKDOWN_BYTES)}}
    _check(_post(webhook, json.dumps(body, ensure_ascii=False).encode("utf-8"), "application/json"), WECOM_RATE_LIMITED)
    for a in message.attachments:
        media = _check(_upload_wecom(webhook, a), WECOM_RATE_LIMITED)["media_id"]
        body = {"msgtype": "file", "file": {"media_id": media}}
        _check(_post(webhook, json.dumps(body).encode("utf-8"), "application/json"), WECOM_RATE_LIMITED)
    return ", ".join(["markdown", *(a.filename for a in message.attachments)])


def wecom_upload_url(webhook: str) -> str:
    """The robot's upload address next to its send address (same key)."""
    parts = urllib.parse.urlsplit(webhook)
    path = parts.path.rsplit("/", 1)[0] + "/upload_media"
    query = urllib.parse.urlencode([*urllib.parse.parse_qsl(parts.query), ("type", "file")])
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, path, query, ""))


def _upload_wecom(webhook: str, attachment: Attachment) -> dict:
    boundary = uuid.uuid4().hex
    name = urllib.parse.quote(attachment.filename)
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="media"; filename="{name}"; '
            f"filename*=UTF-8''{name}\r\nContent-Type: {attachment.mimetype}\r\n\r\n"
        ).encode()
        + attachment.data
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return _post(wecom_upload_url(webhook), body, f"multipart/form-data; boundary={boundary}")


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """钉钉 加签: base64(HMAC-SHA256(key=secret, "timestamp\\nsecret")), as the robot checks it."""
    digest = hmac.new(secret.encode("utf-8"), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def dingtalk_url(webhook: str, secret: str | None, timestamp_ms: int | None = None) -> str:
    """The webhook with `timestamp` and `sign` added when the robot has a secret."""
    if not secret:
        return webhook
    timestamp_ms = int(time.time() * 1000) if timestamp_ms is None else timestamp_ms
    extra = urllib.parse.urlencode({"timestamp": timestamp_ms, "sign": dingtalk_sign(secret, timestamp_ms)})
    return webhook + ("&" if "?" in webhook else "?") + extra


def send_dingtalk(webhook: str, secret: str | None, message: Message) -> str:
    """钉钉 robot: the markdown only (a custom robot cannot carry files), signed per request."""
    text = _clip(message.markdown, DINGTALK_MARKDOWN_BYTES)
    body = {"msgtype": "markdown", "markdown": {"title": message.subject, "text": text}}
    url = dingtalk_url(webhook, secret_value(secret))
    _check(_post(url, json.dumps(body, ensure_ascii=False).encode("utf-8"), "application/json"), DINGTALK_RATE_LIMITED)
    return "markdown"
