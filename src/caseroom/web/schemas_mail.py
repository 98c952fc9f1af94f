"""Email's request and response bodies: an agent's subject and recipients, a
message's email details, and the captured outbound mail admins read."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from caseroom.storage.inbound_mails import InboundMail
from caseroom.storage.mail import CapturedMail, MessageEmail


class EmailIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_max_length=1000)

    subject: str | None = Field(
        default=None, max_length=998, description="the subject of a new email thread"
    )
    to: list[str] = Field(
        default=[], max_length=50, description="private room only: who the email goes to"
    )
    cc: list[str] = Field(default=[], max_length=50, description="private room only: copies")


class EmailOut(BaseModel):
    """How a message travelled by email (agents only). Sent mail fills the
    addresses and Message-ID; a received mail also its folded quote and HTML."""

    direction: str = Field(description="in: a mail we received; out: one we sent")
    subject: str | None
    sender: str | None
    to: list[str]
    cc: list[str]
    message_id: str | None = Field(description="the mail's Message-ID")
    quoted: str | None = Field(
        default=None, description="received mail: the quoted history folded away"
    )
    html: str | None = Field(default=None, description="received mail: its HTML, sanitized")
    html_url: str | None = Field(
        default=None,
        description="received mail: its sanitized HTML as a page of its own with a strict "
        "policy (web.routes_mail.mail_html_response), for a sandboxed frame",
    )

    @classmethod
    def of(cls, email: MessageEmail) -> EmailOut:
        return cls(
            direction="out",
            subject=email.subject,
            sender=email.sender,
            to=list(email.to),
            cc=list(email.cc),
            message_id=email.header_id,
        )

    @classmethod
    def received(cls, mail: InboundMail) -> EmailOut:
        """A mail we took in: with its fold and sanitized HTML (a redacted
        message's mail has no HTML; see inbound_mails)."""
        return cls(
            direction="in",
            subject=mail.subject,
            sender=mail.sender,
            to=list(mail.to),
            cc=list(mail.cc),
            message_id=mail.mail_id,
            quoted=mail.quoted,
            html=mail.html,
        )


class CapturedMailOut(BaseModel):
    id: str
    message_id: str
    sender: str
    recipients: list[str]
    subject: str
    created_at: datetime

    @classmethod
    def of(cls, mail: CapturedMail) -> CapturedMailOut:
        return cls(
            id=mail.id,
            message_id=mail.header_id,
            sender=mail.sender,
            recipients=list(mail.recipients),
            subject=mail.subject,
            created_at=mail.created_at,
        )


class CapturedMailPage(BaseModel):
    items: list[CapturedMailOut]
    has_more: bool


class CapturedMailDetail(CapturedMailOut):
    headers: list[tuple[str, str]]
    text: str | None
    html: str | None = Field(description="the HTML part, sanitized")
