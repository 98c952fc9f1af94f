"""Raw RFC 5322 bytes to a `ParsedMail`: who wrote to whom, the thread ids, the
readable body (text, and sanitized HTML when there is some) and every file.

Never raises on malformed mail: what cannot be decoded is decoded leniently and
flagged. Only input that is no mail at all (no headers, no sender) raises
`MalformedMail`."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import datetime
from email.message import Message
from email.parser import BytesParser
from email.policy import EmailPolicy
from email.utils import getaddresses, parsedate_to_datetime

from caseroom.channels.email import structure
from caseroom.channels.email.decoding import header_text
from caseroom.channels.email.model import Address, Flag, MailPart
from caseroom.domain.errors import MalformedMail


@dataclass(frozen=True, slots=True)
class ParsedMail:
    message_id: str | None  # without angle brackets
    in_reply_to: str | None
    references: tuple[str, ...]
    sender: Address  # From
    reply_to: tuple[Address, ...]
    to: tuple[Address, ...]
    cc: tuple[Address, ...]
    delivered_to: tuple[str, ...]
    subject: str
    date: datetime | None
    text: str
    html: str | None  # sanitized
    parts: tuple[MailPart, ...]
    content_type: str  # of the whole mail, e.g. multipart/report
    report_type: str | None  # report-type of a multipart/report
    headers: tuple[tuple[str, str], ...] = field(repr=False)  # (lower-case name, decoded value)
    flags: frozenset[Flag] = frozenset()

    def header(self, name: str) -> str | None:
        """The first value of a header, decoded (names are case-insensitive)."""
        wanted = name.lower()
        return next((value for key, value in self.headers if key == wanted), None)

    def header_all(self, name: str) -> list[str]:
        wanted = name.lower()
        return [value for key, value in self.headers if key == wanted]

    def part_for_cid(self, content_id: str) -> MailPart | None:
        wanted = content_id.strip("<> ")
        return next((p for p in self.parts if p.content_id == wanted), None)

    @property
    def recipients(self) -> tuple[str, ...]:
        """Every address the mail was sent to: To, Cc and Delivered-To."""
        seen = [a.address for a in (*self.to, *self.cc)] + list(self.delivered_to)
        return tuple(dict.fromkeys(seen))

    @property
    def content_hash(self) -> str:
        """Same for two copies of one mail (a retry, a Cc copy) whatever their
        transport headers: sender, date, subject, body and files."""
        digest = hashlib.sha256()
        date = self.date.isoformat() if self.date else ""
        for piece in (self.sender.address, date, self.subject, self.text):
            digest.update(piece.encode("utf-8", "replace") + b"\x00")
        for part in self.parts:
            digest.update(part.filename.encode("utf-8", "replace") + b"\x00")
            digest.update(hashlib.sha256(part.data).digest())
        return digest.hexdigest()


class _RawHeaderPolicy(EmailPolicy):
    """policy.default, except that a header is fetched as the raw string it came
    as: this module decodes headers itself, leniently (`decoding.header_text`),
    and the default policy's header objects cost most of the parsing time and
    raise on some broken headers."""

    def header_fetch_parse(self, name: str, value: str) -> str:
        return value


RAW_HEADERS = _RawHeaderPolicy()


def load_message(raw: bytes) -> Message:
    """The stdlib's reading of the bytes, after two repairs: leading blank lines
    (some relays add them) are dropped, and a stray line between header lines,
    which would end the headers early, is left out."""
    return BytesParser(policy=RAW_HEADERS).parsebytes(repair_header_block(raw))


_HEADER_LINE = re.compile(rb"^(?:[!-9;-~]+[ \t]*:|[ \t]|From )")
_BLANK_LINE = re.compile(rb"\r?\n[ \t]*\r?\n")


def repair_header_block(raw: bytes) -> bytes:
    stripped = raw.lstrip(b"\r\n\t ")
    split = _BLANK_LINE.search(stripped)
    head, rest = (
        (stripped[: split.start()], stripped[split.start() :]) if split else (stripped, b"")
    )
    lines = head.splitlines(keepends=True)
    valid = [bool(_HEADER_LINE.match(line)) for line in lines]
    if all(valid) or True not in valid:
        return stripped
    last = len(valid) - 1 - valid[::-1].index(True)
    kept = [line for i, line in enumerate(lines) if valid[i] or i > last]
    return b"".join(kept) + rest


def parse_mail(
    raw: bytes,
    *,
    envelope_sender: str | None = None,
    max_depth: int = structure.MAX_DEPTH,
    max_parts: int = structure.MAX_PARTS,
) -> ParsedMail:
    """The mail in `raw`. `envelope_sender` (SMTP MAIL FROM) stands in for a
    missing From header; a delivery report without either is from its MTA's
    MAILER-DAEMON."""
    message = load_message(raw)
    hint = _body_charset(message)
    headers = tuple((n.lower(), header_text(v, hint)) for n, v in message.raw_items())
    if not _looks_like_mail(headers):
        raise MalformedMail("The data is not a mail: it has no mail headers.")
    sender = _sender(message, envelope_sender, raw, hint)
    if sender is None:
        raise MalformedMail("The mail has no From address.")
    body = structure.read_body(message, max_depth=max_depth, max_parts=max_parts)
    flags = set(body.flags)
    if message.defects or any(p.defects for p in message.walk()):
        flags.add(Flag.DEFECTS)
    if not body.text.strip() and not body.parts:
        flags.add(Flag.NO_BODY)
    return ParsedMail(
        message_id=_first_id(_raw(message, "message-id")),
        in_reply_to=_first_id(_raw(message, "in-reply-to")),
        references=tuple(message_ids(_raw(message, "references") or "")),
        sender=sender,
        reply_to=addresses(message, "reply-to", charset=hint),
        to=addresses(message, "to", charset=hint),
        cc=addresses(message, "cc", charset=hint),
        delivered_to=tuple(
            a.address for a in addresses(message, "delivered-to", "x-original-to", "envelope-to")
        ),
        subject=header_text(_raw(message, "subject") or "", hint),
        date=_date(_raw(message, "date")),
        text=body.text,
        html=body.html,
        parts=body.parts,
        content_type=_content_type(message),
        report_type=_report_type(message),
        headers=headers,
        flags=frozenset(Flag(f) for f in flags),
    )


MAIL_HEADERS = {"from", "to", "subject", "date", "message-id", "received", "mime-version"}


def _looks_like_mail(headers: tuple[tuple[str, str], ...]) -> bool:
    return any(name in MAIL_HEADERS for name, _ in headers)


def _raw(message: Message, name: str) -> str | None:
    """A header's raw value (the first one), bypassing the policy's parser, which
    raises on some broken headers."""
    for key, value in message.raw_items():
        if key.lower() == name:
            return str(value)
    return None


_ID = re.compile(r"<([^<>\s]+)>")
_BARE_ID = re.compile(r"[^<>\s,;]+@[^<>\s,;]+")


def message_ids(value: str) -> list[str]:
    """Message ids in a References or In-Reply-To value, without angle brackets;
    ids that lost their brackets in a broken client are still found."""
    found = _ID.findall(value) or _BARE_ID.findall(value)
    return list(dict.fromkeys(i.strip() for i in found if i.strip()))


def _first_id(value: str | None) -> str | None:
    if not value:
        return None
    ids = message_ids(value)
    return ids[0] if ids else (value.strip().strip("<>") or None)


_RAW_8BIT = re.compile(r"[\udc80-\udcff\x80-\uffff]")
_ADDR_SPEC = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)*")


def addresses(message: Message, *names: str, charset: str | None = None) -> tuple[Address, ...]:
    """The addresses of some headers, names decoded; unparseable values are
    searched for anything shaped like an address."""
    found: list[Address] = []
    for key, value in message.raw_items():
        if key.lower() not in names:
            continue
        raw = re.sub(r"\r?\n[ \t]*", " ", str(value))
        pairs = [(n, a) for n, a in getaddresses([raw]) if _ADDR_SPEC.fullmatch(a.strip())]
        if not pairs and _RAW_8BIT.search(raw):  # an address in UTF-8 (RFC 6532)
            decoded = header_text(raw, charset)
            pairs = [(n, a) for n, a in getaddresses([decoded]) if _ADDR_SPEC.fullmatch(a.strip())]
        if not pairs:
            pairs = [("", a) for a in _ADDR_SPEC.findall(header_text(raw, charset))]
        for name, address in pairs:
            cleaned = header_text(address, charset).strip("<>'\" ").lower()
            if "@" in cleaned:
                found.append(Address(cleaned, header_text(name, charset).strip("'\" ")))
    return tuple(dict.fromkeys(found))


_REPORTING_MTA = re.compile(rb"^Reporting-MTA:\s*dns;\s*([\w.-]+\.[a-z]{2,})", re.I | re.M)


def _sender(
    message: Message, envelope: str | None, raw: bytes, charset: str | None
) -> Address | None:
    for name in ("from", "sender", "reply-to", "return-path"):
        found = addresses(message, name, charset=charset)
        if found:
            return found[0]
    envelope = (envelope or "").strip().strip("<>").lower()
    if "@" in envelope:
        return Address(envelope)
    mta = _REPORTING_MTA.search(raw)
    if mta:
        return Address(f"mailer-daemon@{mta.group(1).decode('ascii').lower()}", "Mail Delivery")
    return None


def _body_charset(message: Message) -> str | None:
    for part in message.walk():
        try:
            charset = part.get_content_charset()
        except Exception:  # a broken Content-Type has none
            continue
        if charset and charset.lower() not in ("us-ascii", "ascii", "utf-8"):
            return charset
    return None


def _date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return parsedate_to_datetime(header_text(value))
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


def _content_type(message: Message) -> str:
    try:
        return message.get_content_type()
    except Exception:  # a header the parser cannot read means plain text
        return "text/plain"


def _report_type(message: Message) -> str | None:
    if _content_type(message) != "multipart/report":
        return None
    try:
        value = message.get_param("report-type")
    except Exception:
        return None
    return str(value).strip().lower() if isinstance(value, str) else None
