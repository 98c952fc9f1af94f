"""Our outgoing mail, built from a message: headers that thread it (a stable
Message-ID, In-Reply-To/References, the `[#REF]` subject, a Reply-To with a
signed token), a text and an HTML part rendered from the message, and files as
links (never attachments). Pure: no I/O; DKIM signing is a function of bytes."""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime

import dkim

from caseroom.channels.email.threading import angle, references_header

DEFAULT_DKIM_SELECTOR = "caseroom"
# RFC 3834: what marks our automatic mail (notifications), and the loop guard.
AUTO_SUBMITTED = "auto-generated"
_URL = re.compile(r"https?://[^\s<>\"']+[^\s<>\"'.,;:!?)\]]")
# Headers a DKIM signature covers: those that say who, what and which thread.
DKIM_HEADERS = (
    b"from",
    b"to",
    b"cc",
    b"subject",
    b"date",
    b"message-id",
    b"in-reply-to",
    b"references",
    b"reply-to",
    b"mime-version",
    b"content-type",
)


@dataclass(frozen=True, slots=True)
class Draft:
    """Everything one outgoing mail says. Addresses are bare (`a@example.com`);
    ids are bare (`abc@example.com`)."""

    message_id: str
    from_address: str
    from_name: str
    to: tuple[str, ...]
    subject: str
    body: str
    date: datetime
    reply_to: str | None = None
    cc: tuple[str, ...] = ()
    in_reply_to: str | None = None
    references: tuple[str, ...] = ()
    file_links: tuple[tuple[str, str], ...] = ()  # (name, signed URL)
    automatic: bool = False  # a notification, not a person's answer
    loop_id: str | None = None  # our X-Loop value: the organization's address


def sender_name(agent_name: str, organization_name: str) -> str:
    """`Ana Lopez via Acme`: the person answering, on the organization's address."""
    agent_name, organization_name = agent_name.strip(), organization_name.strip()
    if not agent_name or agent_name == organization_name:
        return organization_name
    return f"{agent_name} via {organization_name}" if organization_name else agent_name


def compose(draft: Draft) -> EmailMessage:
    mail = EmailMessage()
    mail["From"] = Address(draft.from_name, addr_spec=draft.from_address)
    mail["To"] = ", ".join(draft.to)
    if draft.cc:
        mail["Cc"] = ", ".join(draft.cc)
    if draft.reply_to:
        mail["Reply-To"] = Address(draft.from_name, addr_spec=draft.reply_to)
    mail["Subject"] = draft.subject
    mail["Date"] = format_datetime(draft.date)
    mail["Message-ID"] = angle(draft.message_id)
    if draft.in_reply_to:
        mail["In-Reply-To"] = angle(draft.in_reply_to)
    if draft.references:
        mail["References"] = references_header(draft.references)
    if draft.automatic:
        mail["Auto-Submitted"] = AUTO_SUBMITTED
        mail["X-Auto-Response-Suppress"] = "All"
    if draft.loop_id:
        mail["X-Loop"] = draft.loop_id
    mail.set_content(render_text(draft.body, draft.file_links), cte="quoted-printable")
    mail.add_alternative(render_html(draft.body, draft.file_links), subtype="html")
    return mail


def render_text(body: str, file_links: Sequence[tuple[str, str]] = ()) -> str:
    text = body.rstrip()
    if file_links:
        listed = "\n".join(f"- {name}: {url}" for name, url in file_links)
        text = f"{text}\n\nFiles:\n{listed}" if text else f"Files:\n{listed}"
    return text + "\n"


def render_html(body: str, file_links: Sequence[tuple[str, str]] = ()) -> str:
    """The message as HTML: every character escaped, links made clickable, line
    breaks kept; the files as a list of links."""
    paragraphs = [p for p in re.split(r"\n\s*\n", body.strip()) if p.strip()]
    parts = [f"<p>{_linked(p).replace(chr(10), '<br>' + chr(10))}</p>" for p in paragraphs]
    if file_links:
        items = "".join(
            f'<li><a href="{html.escape(url, quote=True)}">{html.escape(name)}</a></li>'
            for name, url in file_links
        )
        parts.append(f"<p>Files:</p><ul>{items}</ul>")
    return (
        '<!DOCTYPE html><html><head><meta charset="utf-8"></head>'
        f'<body style="font-family:sans-serif;line-height:1.4">{"".join(parts)}</body></html>\n'
    )


def _linked(text: str) -> str:
    out, last = [], 0
    for found in _URL.finditer(text):
        url = found.group(0)
        out.append(html.escape(text[last : found.start()]))
        out.append(f'<a href="{html.escape(url, quote=True)}">{html.escape(url)}</a>')
        last = found.end()
    out.append(html.escape(text[last:]))
    return "".join(out)


def as_bytes(mail: EmailMessage) -> bytes:
    return mail.as_bytes(policy=SMTP)


def dkim_sign(raw: bytes, *, private_key: str, domain: str, selector: str) -> bytes:
    """`raw` with a DKIM-Signature header prepended (relaxed/relaxed, rsa-sha256
    or ed25519-sha256 by the key)."""
    signature = dkim.sign(
        raw,
        selector.encode(),
        domain.encode(),
        private_key.encode(),
        include_headers=[h for h in DKIM_HEADERS if _has_header(raw, h)],
        canonicalize=(b"relaxed", b"relaxed"),
        signature_algorithm=b"ed25519-sha256" if "BEGIN" not in private_key else b"rsa-sha256",
    )
    return bytes(signature) + raw


def _has_header(raw: bytes, name: bytes) -> bool:
    head = raw.split(b"\r\n\r\n", 1)[0].lower()
    return head.startswith(name + b":") or (b"\r\n" + name + b":") in head


def domain_of(address: str) -> str:
    return address.rpartition("@")[2].strip().lower()
