"""Machine mail: what no person wrote, so that it is never answered, never
reopens an Issue and never notifies anyone (RFC 3834 and the headers that
mailers use in practice), and the reports mailers send back: delivery status
(RFC 3464) and complaints (ARF, RFC 5965)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from email.message import Message
from enum import StrEnum

from caseroom.channels.email.decoding import clean_text, decode_text, header_text, payload_bytes
from caseroom.channels.email.parsing import ParsedMail, load_message, message_ids


class MachineKind(StrEnum):
    AUTO_REPLY = "auto-reply"  # Auto-Submitted, X-Autoreply and kin, read receipts
    BULK = "bulk"  # Precedence: bulk/junk
    LIST = "list"  # a mailing list (List-Id, List-Unsubscribe, Precedence: list)
    LOOP = "loop"  # carries our own X-Loop: something sent back what we sent
    DAEMON = "daemon"  # MAILER-DAEMON/postmaster, or an empty Return-Path
    DELIVERY_REPORT = "delivery-report"  # a bounce or delay notice
    COMPLAINT = "complaint"  # an abuse (spam) report about mail we sent


@dataclass(frozen=True, slots=True)
class MachineMail:
    kinds: frozenset[MachineKind]
    reasons: tuple[str, ...]  # the headers that told, as "Name: value"


PRECEDENCE = {
    "bulk": MachineKind.BULK,
    "junk": MachineKind.BULK,
    "list": MachineKind.LIST,
    "auto_reply": MachineKind.AUTO_REPLY,
    "auto-reply": MachineKind.AUTO_REPLY,
}
AUTO_REPLY_HEADERS = ("x-autoreply", "x-autorespond", "x-auto-response-suppress")
LIST_HEADERS = ("list-id", "list-unsubscribe")
DAEMON_NAMES = {"mailer-daemon", "mailerdaemon", "mail-daemon", "postmaster"}
REPORT_KINDS = {
    "delivery-status": MachineKind.DELIVERY_REPORT,
    "feedback-report": MachineKind.COMPLAINT,
    "disposition-notification": MachineKind.AUTO_REPLY,
}


def classify(mail: ParsedMail, *, own_loop: str | None = None) -> MachineMail | None:
    """Why the mail is machine mail, or None for mail a person wrote.
    `own_loop` is the X-Loop value our outgoing mail carries."""
    found: list[tuple[MachineKind, str]] = []
    for value in mail.header_all("auto-submitted"):
        if _token(value) not in ("", "no"):
            found.append((MachineKind.AUTO_REPLY, f"Auto-Submitted: {value}"))
    for value in mail.header_all("precedence"):
        if _token(value) in PRECEDENCE:
            found.append((PRECEDENCE[_token(value)], f"Precedence: {value}"))
    for name in AUTO_REPLY_HEADERS:
        for value in mail.header_all(name):
            if name == "x-auto-response-suppress" or _token(value) not in ("no", "false"):
                found.append((MachineKind.AUTO_REPLY, f"{_title(name)}: {value}"))
    for name in LIST_HEADERS:
        found.extend((MachineKind.LIST, f"{_title(name)}: {v}") for v in mail.header_all(name))
    if own_loop and any(_same(v, own_loop) for v in mail.header_all("x-loop")):
        found.append((MachineKind.LOOP, f"X-Loop: {own_loop}"))
    return_paths = mail.header_all("return-path")
    if return_paths and all(not v.strip("<> \t") for v in return_paths):
        found.append((MachineKind.DAEMON, "Return-Path: <>"))
    if mail.sender.address.split("@")[0] in DAEMON_NAMES:
        found.append((MachineKind.DAEMON, f"From: {mail.sender.address}"))
    report = mail.report_type or (
        "delivery-status" if mail.content_type == "message/delivery-status" else None
    )
    if report in REPORT_KINDS:
        found.append(
            (REPORT_KINDS[report], f"Content-Type: multipart/report; report-type={report}")
        )
    if not found:
        return None
    return MachineMail(frozenset(k for k, _ in found), tuple(dict.fromkeys(r for _, r in found)))


def _token(value: str) -> str:
    """The keyword of a header like `auto-generated (failure)` or `bulk; x`."""
    return re.split(r"[\s;(]", value.strip().lower(), maxsplit=1)[0]


def _same(value: str, own: str) -> bool:
    return value.strip().strip("<>").lower() == own.strip().strip("<>").lower()


def _title(name: str) -> str:
    return "-".join(p.capitalize() for p in name.split("-"))


# -- delivery status and complaint reports ------------------------------------------


@dataclass(frozen=True, slots=True)
class RecipientStatus:
    recipient: str  # lower case
    action: str  # failed, delayed, delivered, relayed, expanded (RFC 3464)
    status: str | None  # e.g. 5.1.1
    diagnostic: str | None  # e.g. "550 5.1.1 <x@example.com>: user unknown"

    @property
    def permanent(self) -> bool:
        return self.action == "failed" or (self.status or "").startswith("5.")


@dataclass(frozen=True, slots=True)
class DeliveryReport:
    original_message_id: str | None  # of the mail the report is about, no angle brackets
    recipients: tuple[RecipientStatus, ...]
    reporting_mta: str | None
    structured: bool  # an RFC 3464 report; False for a bounce read from its text

    @property
    def failed(self) -> tuple[RecipientStatus, ...]:
        return tuple(r for r in self.recipients if r.action == "failed")


@dataclass(frozen=True, slots=True)
class ComplaintReport:
    feedback_type: str  # abuse, fraud, virus, other, not-spam... (RFC 5965)
    original_message_id: str | None
    complainants: tuple[str, ...]  # the addresses that complained, when not redacted
    user_agent: str | None
    source_ip: str | None
    reported_domain: str | None


def parse_report(raw: bytes | Message) -> DeliveryReport | ComplaintReport | None:
    """The delivery status or complaint report a mail is, if it is one."""
    message = load_message(raw) if isinstance(raw, bytes) else raw
    return parse_complaint(message) or parse_delivery_report(message)


def parse_delivery_report(raw: bytes | Message) -> DeliveryReport | None:
    message = load_message(raw) if isinstance(raw, bytes) else raw
    status_part = _find(message, "message/delivery-status")
    if status_part is None:
        return _text_bounce(message)
    blocks = _fields(status_part)
    head = blocks[0] if blocks else {}
    return DeliveryReport(
        _original_id(message),
        _recipients(blocks[1:] if len(blocks) > 1 else blocks),
        _after_type(head.get("reporting-mta")) or None,
        structured=True,
    )


def _recipients(blocks: list[dict[str, str]]) -> tuple[RecipientStatus, ...]:
    recipients = []
    for block in blocks:
        recipient = _after_type(block.get("final-recipient") or block.get("original-recipient"))
        if not recipient:
            continue
        status = _STATUS.search(block.get("status", ""))
        recipients.append(
            RecipientStatus(
                recipient.strip("<> ").lower(),
                block.get("action", "").strip().lower() or "failed",
                status.group(0) if status else None,
                _after_type(block.get("diagnostic-code")) or None,
            )
        )
    return tuple(recipients)


def parse_complaint(raw: bytes | Message) -> ComplaintReport | None:
    message = load_message(raw) if isinstance(raw, bytes) else raw
    part = _find(message, "message/feedback-report")
    if part is None:
        return None
    fields: dict[str, str] = {}
    rcpts: list[str] = []
    for block in _fields(part, keep_all=("original-rcpt-to",)):
        fields.update(block)
        rcpts.extend(v for k, v in block.items() if k.startswith("original-rcpt-to"))
    complainants = [r.strip("<> ").lower() for r in rcpts if "@" in r]
    original = _original(message)
    if not complainants and original is not None:
        to = re.findall(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", header_text(str(original.get("to", ""))))
        complainants = [a.lower() for a in to]
    return ComplaintReport(
        fields.get("feedback-type", "abuse").strip().lower(),
        _original_id(message),
        tuple(dict.fromkeys(complainants)),
        fields.get("user-agent"),
        fields.get("source-ip"),
        fields.get("reported-domain"),
    )


_FINAL_RECIPIENT = re.compile(r"^Final-Recipient:", re.IGNORECASE | re.MULTILINE)
_STATUS = re.compile(r"\b[245]\.\d{1,3}\.\d{1,3}\b")
_SMTP_CODE = re.compile(r"\b([45])\d\d\b")
_ADDRESS = re.compile(r"<?([\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+)>?")
_MESSAGE_ID = re.compile(r"^Message-ID:[ \t]*(<[^>\r\n]+>|\S+@\S+)", re.IGNORECASE | re.MULTILINE)


def _find(message: Message, content_type: str) -> Message | None:
    for part in message.walk():
        if part.get_content_type() == content_type:
            return part
    return None


def _fields(part: Message, keep_all: tuple[str, ...] = ()) -> list[dict[str, str]]:
    """The field blocks of a report part: the parser splits message/delivery-status
    into blocks itself; anything else (encoded, broken) is read from its text."""
    payload = part.get_payload()
    if isinstance(payload, list) and payload:
        text = "\n\n".join(
            "".join(f"{k}: {v}\n" for k, v in block.raw_items())
            for block in payload
            if isinstance(block, Message)
        )
    else:
        text = decode_text(payload_bytes(part), "utf-8")[0]
    return _text_blocks(text, keep_all)


def _text_blocks(text: str, keep_all: tuple[str, ...] = ()) -> list[dict[str, str]]:
    blocks: list[dict[str, str]] = []
    for chunk in re.split(r"\r?\n[ \t]*\r?\n", text):
        block: dict[str, str] = {}
        for field in re.split(r"\r?\n(?![ \t])", chunk.strip()):
            name, sep, value = field.partition(":")
            key = name.strip().lower()
            if not sep or not key:
                continue
            if key in keep_all:
                key = f"{key}#{len(block)}"
            block.setdefault(key, header_text(value))
        if block:
            blocks.append(block)
    return blocks


def _after_type(value: str | None) -> str:
    """`rfc822; a@b` -> `a@b`, `smtp; 550 ...` -> `550 ...`, `dns; mx.example` -> `mx.example`."""
    if not value:
        return ""
    _, sep, rest = value.partition(";")
    return clean_text((rest if sep else value).strip())


def _original(message: Message) -> Message | None:
    """The returned mail (or its headers) that a report carries."""
    for part in message.walk():
        ctype = part.get_content_type()
        if ctype in ("message/rfc822", "message/global", "message/rfc822-headers"):
            inner = part.get_payload()
            if isinstance(inner, list) and inner and isinstance(inner[0], Message):
                return inner[0]
        if ctype in ("text/rfc822-headers", "message/global-headers"):
            return load_message(payload_bytes(part))
    return None


def _original_id(message: Message) -> str | None:
    original = _original(message)
    if original is not None:
        for key, value in original.raw_items():
            if key.lower() == "message-id":
                ids = message_ids(str(value))
                if ids:
                    return ids[0]
    return _id_in_text(_body_text(message))


def _id_in_text(text: str) -> str | None:
    found = _MESSAGE_ID.search(text)
    if not found:
        return None
    ids = message_ids(found.group(1))
    return ids[0] if ids else None


def _body_text(message: Message) -> str:
    pieces = []
    for part in message.walk():
        # A multipart whose boundary never came is text too.
        if not part.is_multipart() and part.get_content_maintype() in ("text", "multipart"):
            pieces.append(decode_text(payload_bytes(part), part.get_content_charset())[0])
    return "\n".join(pieces)


def _text_bounce(message: Message) -> DeliveryReport | None:
    """A bounce without an RFC 3464 part (qmail, older Exim, some webmail): from a
    mailer daemon, with the status, the failed address and the returned mail's
    Message-ID read from its text as well as they can be."""
    sender = header_text(str(message.get("from", "") or "")).lower()
    if not any(name + "@" in sender for name in DAEMON_NAMES):
        return None
    text = _body_text(message)
    if _FINAL_RECIPIENT.search(text):  # RFC 3464 fields whose MIME structure broke
        blocks = [b for b in _text_blocks(text) if "final-recipient" in b]
        return DeliveryReport(_original_id(message), _recipients(blocks), None, structured=False)
    returned = re.search(r"^(?:Received|Return-Path|Message-ID|From):", text, re.I | re.M)
    notice = text[: returned.start()] if returned else text
    own = {a.lower() for a in _ADDRESS.findall(sender)}
    recipient = next((a.lower() for a in _ADDRESS.findall(notice) if a.lower() not in own), None)
    status = _STATUS.search(notice)
    code = _SMTP_CODE.search(notice)
    temporary = (
        (status.group(0).startswith("4.")) if status else bool(code and code.group(1) == "4")
    )
    recipients: tuple[RecipientStatus, ...] = ()
    if recipient:
        recipients = (
            RecipientStatus(
                recipient,
                "delayed" if temporary else "failed",
                status.group(0) if status else None,
                _diagnostic_line(notice, code.group(0) if code else None),
            ),
        )
    return DeliveryReport(_original_id(message), recipients, None, structured=False)


def _diagnostic_line(text: str, code: str | None) -> str | None:
    if code is None:
        return None
    for line in text.splitlines():
        if code in line:
            return line.strip()[:500]
    return None
