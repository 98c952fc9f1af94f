"""Request and response bodies of the HTTP API. Requests refuse unknown fields."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from caseroom.domain.delivery import Delivery, Receipt
from caseroom.domain.events import (
    attachment_payload,
    customer_issue_payload,
    customer_message_payload,
    delivery_payload,
    issue_payload,
    message_payload,
    receipt_payload,
    sees_as_agent,
)
from caseroom.domain.model import (
    Agent,
    Attachment,
    Channel,
    Customer,
    Issue,
    Message,
    Principal,
)
from caseroom.web.schemas_mail import EmailIn, EmailOut


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_max_length=100_000)


# The chat pages a conversation may say it starts from (domain.model.CHAT_SURFACES).
ChatSurface = Literal["widget", "embed", "connect"]


# -- requests -----------------------------------------------------------------


class LoginRequest(Strict):
    email: str = Field(max_length=320)
    password: str = Field(max_length=1024)
    organization: str | None = Field(default=None, max_length=64)


class TokenCreate(Strict):
    name: str = Field(min_length=1, max_length=200)


class ConversationStart(Strict):
    name: str = Field(max_length=200)
    email: str | None = Field(default=None, max_length=320)
    phone: str | None = Field(default=None, max_length=40)
    subject: str | None = Field(default=None, max_length=300)
    message: str
    idempotency_key: str | None = Field(default=None, min_length=8, max_length=128)
    retry_secret: str | None = Field(
        default=None,
        min_length=16,
        max_length=128,
        description="a random secret the client keeps with the idempotency key: a retry "
        "of this start is answered only when it carries the same secret",
    )
    surface: ChatSurface | None = Field(
        default=None,
        description="the chat page the start comes from (widget, embed or connect), "
        "shown to agents as where the Customer wrote from; a label, not a permission. "
        "Without it the Issue's surface is api",
    )


class AssignRequest(Strict):
    agent_id: str | None = Field(default=None, max_length=32)
    team_id: str | None = Field(default=None, max_length=32)


class UploadFields(Strict):
    """The text fields of a multipart upload (the files come as `files` parts)."""

    body: str = ""
    kind: Literal["message", "note"] = "message"
    channel: Literal["chat", "sms", "email"] | None = Field(
        default=None,
        description="as for a message; by SMS or email the files go as signed links",
    )
    idempotency_key: str = Field(min_length=8, max_length=128)


class MessageCreate(Strict):
    body: str
    kind: Literal["message", "note"] = "message"
    channel: Literal["chat", "sms", "email"] | None = Field(
        default=None,
        description="how an agent's public message reaches the Customer; by default the "
        "channel the Customer last wrote through, when it can (see the Issue's "
        "`channels`). Notes and private messages are never sent out.",
    )
    idempotency_key: str = Field(
        min_length=8,
        max_length=128,
        description="client-generated; a retry with the same key returns the first message",
    )
    email: EmailIn | None = Field(
        default=None,
        description="with channel email: a subject for a new thread; in the private room, "
        "the To and Cc it goes to (never the Customer's addresses)",
    )


# -- responses ----------------------------------------------------------------


class AgentOut(BaseModel):
    id: str
    name: str
    email: str
    role: str
    team_ids: list[str]

    @classmethod
    def of(cls, agent: Agent) -> AgentOut:
        return cls(
            id=agent.id,
            name=agent.name,
            email=agent.email,
            role=agent.role.value,
            team_ids=list(agent.team_ids),
        )


class CustomerOut(BaseModel):
    id: str
    name: str
    email: str | None
    phone: str | None
    external_id: str | None

    @classmethod
    def of(cls, customer: Customer) -> CustomerOut:
        return cls(
            id=customer.id,
            name=customer.name,
            email=customer.email,
            phone=customer.phone,
            external_id=customer.external_id,
        )


class ChannelOptionOut(BaseModel):
    channel: Channel
    enabled: bool
    reason: str | None = Field(default=None, description="why the channel cannot be used")


class OrganizationOut(BaseModel):
    id: str
    slug: str
    name: str
    channels: list[ChannelOptionOut] = Field(description="reply channels, enabled or not")
    waiting_amber_seconds: int = Field(description="a waiting Customer's card turns amber")
    waiting_red_seconds: int = Field(description="a waiting Customer's card turns red")


class MeOut(BaseModel):
    kind: Literal["agent", "customer", "bot"]
    org_id: str
    agent: AgentOut | None = None
    locale: str | None = Field(
        default=None, description="an agent's chosen console language; null follows the browser"
    )
    customer: dict[str, Any] | None = None
    bot: dict[str, Any] | None = None


class LocaleIn(Strict):
    locale: str | None = Field(
        description="the console language (en, de); null follows the browser", max_length=16
    )


class LocaleOut(BaseModel):
    locale: str | None


class LoginOut(BaseModel):
    agent: AgentOut
    csrf_token: str


class TokenOut(BaseModel):
    id: str
    name: str | None
    created_at: datetime
    token: str | None = Field(default=None, description="shown once, at creation")


class AttachmentOut(BaseModel):
    id: str
    filename: str
    content_type: str = Field(description="sniffed from the bytes, not taken from the client")
    size: int
    download_path: str


class AuthorOut(BaseModel):
    kind: str
    id: str | None
    name: str


class DeliveryOut(BaseModel):
    id: str
    channel: str
    recipient: str
    state: str = Field(description="queued, sent, delivered, read, failed or bounced")
    provider_id: str | None
    error_code: str | None
    error: str | None = Field(description="why it failed or bounced")
    updated_at: datetime

    @classmethod
    def of(cls, delivery: Delivery) -> DeliveryOut:
        return cls.model_validate(delivery_payload(delivery))


class MessageOut(BaseModel):
    id: str
    issue_id: str
    room: Literal["public", "private"]
    seq: int
    kind: Literal["message", "note", "event"]
    channel: Channel
    author: AuthorOut
    body: str
    created_at: datetime
    idempotency_key: str | None
    edited_at: datetime | None = None
    deleted_at: datetime | None = Field(
        default=None, description="a deleted note keeps its place with an empty body"
    )
    redacted_at: datetime | None = None
    change_seq: int | None = Field(
        default=None,
        description="agents only: the Issue's change number of this message's last "
        "edit, deletion or redaction (see GET .../rooms/{room}/changes)",
    )
    attachments: list[AttachmentOut] = []
    deliveries: list[DeliveryOut] = Field(
        default=[], description="agents only: its deliveries by email or SMS, and their state"
    )
    email: EmailOut | None = Field(
        default=None, description="agents only: how it travelled by email, if it did"
    )

    @classmethod
    def of(cls, message: Message, principal: Principal | None = None) -> MessageOut:
        data = message_payload(message)
        if principal is not None and not sees_as_agent(principal):
            data = customer_message_payload(data)
        return cls.model_validate(data)


class ReceiptIn(Strict):
    delivered_seq: int | None = Field(default=None, ge=0)
    read_seq: int | None = Field(default=None, ge=0)


class ReceiptOut(BaseModel):
    reader: dict[str, str] = Field(description="kind (agent, customer, bot) and id")
    delivered_seq: int = Field(description="received every message up to this number")
    read_seq: int = Field(description="read every message up to this number")

    @classmethod
    def of(cls, receipt: Receipt) -> ReceiptOut:
        return cls.model_validate(receipt_payload(receipt))


class MessagePage(BaseModel):
    items: list[MessageOut]
    has_more: bool
    receipts: list[ReceiptOut] = Field(
        default=[], description="each reader's delivered and read marks in this room"
    )


class MatchOut(BaseModel):
    """Where a search's words were found: a stretch of text with the matching
    words' [start, end) character spans, in a message (id and room) or the Issue."""

    text: str
    highlights: list[tuple[int, int]]
    message_id: str | None = None
    room: str | None = None


class IssueOut(BaseModel):
    """An Issue as an agent sees it; customers get the fields of CustomerIssueOut only."""

    id: str
    reference: str
    subject: str
    status: str
    created_at: datetime
    resolved_at: datetime | None
    last_seq: dict[str, int]
    customer_id: str | None = None
    owner_agent_id: str | None = None
    team_id: str | None = None
    source_channel: str | None = None
    tags: list[str] | None = None
    watcher_ids: list[str] | None = None
    claimed_at: datetime | None = None
    last_message_at: datetime | None = None
    waiting_since: datetime | None = None
    linked_issue_id: str | None = None
    reply_channel: str | None = Field(
        default=None, description="the channel the Customer last wrote through"
    )
    given_contact: dict[str, str] | None = Field(
        default=None,
        description="contact details given in the start form, unverified, where they "
        "differ from the Customer's (agents only; never copied into the Customer)",
    )
    priority: str | None = Field(default=None, description="low, high or urgent; none is normal")
    surface: str | None = Field(
        default=None,
        description="where the Customer started it: widget, embed, connect, sms, email or "
        "api (null: started before this was recorded)",
    )
    match: MatchOut | None = Field(default=None, description="a search's best match")

    @classmethod
    def of(cls, issue: Issue, principal: Principal) -> IssueOut:
        data = issue_payload(issue)
        if not sees_as_agent(principal):
            data = customer_issue_payload(data)
        return cls.model_validate(data)


class IssueList(BaseModel):
    items: list[IssueOut]
    next_cursor: str | None
    ranked_among_newest: int | None = Field(
        default=None,
        description="set when the words match more Issues than a search ranks: the "
        "items are the best matches among the newest this many matching Issues (more "
        "words or a filter reach older ones); null when every match was ranked",
    )


class ActivityOut(BaseModel):
    id: str
    action: str
    actor_kind: str
    actor_id: str | None
    detail: dict[str, Any]
    created_at: datetime | None


class ConversationStarted(BaseModel):
    customer_token: str = Field(description="grants this conversation's public room")
    customer_id: str
    issue: IssueOut
    message: MessageOut


class LimitsOut(BaseModel):
    """What the server enforces, so a client can warn before sending."""

    max_file_bytes: int
    max_files_per_message: int
    max_upload_bytes: int = Field(description="the cap on a whole upload request")
    max_message_chars: int
    max_filename_chars: int
    inline_content_types: list[str] = Field(
        description="types shown in the browser; every other file is served as a download"
    )


class AttachmentViewItem(BaseModel):
    """One row of an Issue's attachments view."""

    id: str
    filename: str
    content_type: str
    size: int
    room: Literal["public", "private"]
    message_id: str
    sender: AuthorOut
    created_at: datetime
    download_path: str

    @classmethod
    def of(cls, attachment: Attachment) -> AttachmentViewItem:
        payload = attachment_payload(attachment)
        return cls(
            **payload,
            room=attachment.room.value,
            message_id=attachment.message_id,
            sender=AuthorOut(
                kind=attachment.author_kind.value,
                id=attachment.author_id,
                name=attachment.author_name,
            ),
            created_at=attachment.created_at,
        )


class AttachmentList(BaseModel):
    items: list[AttachmentViewItem]


class TranscriptOut(BaseModel):
    id: str
    version: int
    room: Literal["public", "private"]
    format: Literal["html", "pdf"]
    filename: str
    content_type: str
    size: int
    resolution_id: str
    resolved_at: datetime
    created_at: datetime
    download_path: str


class TranscriptList(BaseModel):
    items: list[TranscriptOut]
