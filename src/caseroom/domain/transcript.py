"""Transcripts: what a room's record says, assembled from the Issue and its
messages. Renderers (HTML, PDF) only lay this out; what is in it, and what a
Customer's copy leaves out, is decided here."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from caseroom.domain.mentions import show_mentions
from caseroom.domain.model import (
    Activity,
    Agent,
    AuthorKind,
    Customer,
    Issue,
    Message,
    MessageKind,
    Organization,
    Room,
)


class Audience(StrEnum):
    AGENTS = "agents"  # the filed record: every kind, notes marked
    CUSTOMER = "customer"  # a copy for the Customer: no notes, public room only


class TranscriptFormat(StrEnum):
    HTML = "html"
    PDF = "pdf"


CONTENT_TYPES = {TranscriptFormat.HTML: "text/html", TranscriptFormat.PDF: "application/pdf"}


@dataclass(frozen=True, slots=True)
class EmailLine:
    """Who an email was from and to, as its transcript entry lists them."""

    sender: str | None
    to: tuple[str, ...] = ()
    cc: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class TranscriptEntry:
    time: datetime
    seq: int
    author: str
    author_kind: AuthorKind
    channel: str
    kind: MessageKind
    body: str
    files: tuple[str, ...]
    email: EmailLine | None = None

    @property
    def via(self) -> str:
        """The channel, and for an email who sent it and to whom."""
        if self.email is None:
            return self.channel
        parts = [self.channel]
        if self.email.sender:
            parts.append(f"from {self.email.sender}")
        if self.email.to:
            parts.append(f"to {', '.join(self.email.to)}")
        if self.email.cc:
            parts.append(f"cc {', '.join(self.email.cc)}")
        return " ".join(parts)

    @property
    def label(self) -> str:
        """How the entry is marked: notes and events stand out from conversation."""
        if self.kind is MessageKind.NOTE:
            return "Note (agents only)"
        if self.kind is MessageKind.EVENT:
            return "Event"
        if self.author_kind is AuthorKind.BOT:
            return "Bot"
        return self.author_kind.value.capitalize()


@dataclass(frozen=True, slots=True)
class TranscriptHead:
    """Everything a transcript says besides its entries, and how many there are:
    what a renderer needs before it reads the entries, which may come a page at a
    time from a room too long to hold at once."""

    organization: str
    reference: str
    subject: str
    customer: str
    agents: tuple[str, ...]
    room: Room
    audience: Audience
    created_at: datetime
    resolved_at: datetime | None
    generated_at: datetime
    version: int | None
    count: int

    @property
    def title(self) -> str:
        if self.audience is Audience.CUSTOMER:
            return f"{self.reference} · Conversation transcript"
        room = "Public room" if self.room is Room.PUBLIC else "Private room"
        return f"{self.reference} · {room} transcript"

    def filename(self, fmt: TranscriptFormat) -> str:
        version = f"-v{self.version}" if self.version is not None else ""
        audience = "-customer-copy" if self.audience is Audience.CUSTOMER else ""
        return f"{self.reference}-{self.room.value}{audience}-transcript{version}.{fmt.value}"


@dataclass(frozen=True, slots=True)
class Transcript:
    """A transcript held whole: its head and every entry. Rooms too long to hold
    stream their entries to the renderers instead (see services/transcripts.py)."""

    head: TranscriptHead
    entries: tuple[TranscriptEntry, ...]

    @classmethod
    def of(cls, head: TranscriptHead, entries: Iterable[TranscriptEntry]) -> Transcript:
        held = tuple(entries)
        return cls(replace(head, count=len(held)), held)

    @property
    def title(self) -> str:
        return self.head.title

    def filename(self, fmt: TranscriptFormat) -> str:
        return self.head.filename(fmt)


def transcript_kinds(audience: Audience, room: Room) -> frozenset[MessageKind]:
    """The message kinds a transcript for `audience` holds."""
    if audience is Audience.AGENTS:
        return frozenset(MessageKind)
    if room is not Room.PUBLIC:
        return frozenset()
    return frozenset({MessageKind.MESSAGE, MessageKind.EVENT})


# What the filed record says of the Issue's lifecycle (from its activity log).
LIFECYCLE = {
    "claim": "claimed the Issue",
    "assign": "assigned the Issue",
    "resolve": "resolved the Issue",
    "reopen": "reopened the Issue",
    "cancel": "canceled the Issue",
    "close": "closed the Issue",
}
EMPTY_ROOM = (
    "Nothing was written in this room. Every resolution files both rooms' "
    "transcripts, so this one records that the room stayed empty."
)


def lifecycle_entries(
    history: Iterable[Activity], names: dict[str, str], customer: str
) -> list[TranscriptEntry]:
    """The Issue's claims, assignments and status changes as event entries."""
    entries = []
    for entry in history:
        said = LIFECYCLE.get(entry.action)
        if said is None or entry.created_at is None:
            continue
        if entry.actor_kind is AuthorKind.CUSTOMER:
            who = customer
        else:
            who = names.get(entry.actor_id or "", "caseroom")
        owner = entry.detail.get("owner_agent_id")
        if entry.action == "assign":
            said = (
                f"{said} to {names.get(owner, 'a former agent')}"
                if isinstance(owner, str)
                else ("took the owner off the Issue")
            )
        entries.append(
            TranscriptEntry(
                time=entry.created_at,
                seq=0,
                author=who,
                author_kind=AuthorKind.SYSTEM,
                channel="system",
                kind=MessageKind.EVENT,
                body=f"{who} {said}",
                files=(),
            )
        )
    return entries


def customer_label(customer: Customer) -> str:
    contact = customer.email or customer.phone
    return f"{customer.name} <{contact}>" if contact else customer.name


def shown_messages(messages: Iterable[Message], room: Room, audience: Audience) -> list[Message]:
    """Of `messages`, those a transcript of `room` for `audience` shows."""
    kinds = transcript_kinds(audience, room)
    return [m for m in messages if m.kind in kinds and m.room is room and m.deleted_at is None]


def agents_taking_part(
    owner_id: str | None, author_ids: Iterable[str], agents: Iterable[Agent]
) -> tuple[str, ...]:
    """The names of the Issue's owner and of the agents who wrote in the room
    (`author_ids` in the room's order), each once."""
    names = {a.id: a.name for a in agents}
    taking_part = [owner_id] if owner_id else []
    taking_part += author_ids
    return tuple(dict.fromkeys(names[a] for a in taking_part if a in names))


def agent_authors(messages: Iterable[Message]) -> list[str]:
    return [m.author_id for m in messages if m.author_kind is AuthorKind.AGENT and m.author_id]


def message_entry(
    message: Message, redact: Callable[[str], str], emails: Mapping[str, EmailLine] | None
) -> TranscriptEntry:
    return TranscriptEntry(
        time=message.created_at,
        seq=message.seq,
        author=message.author_name,
        author_kind=message.author_kind,
        channel=message.channel.value,
        kind=message.kind,
        body=redact(show_mentions(message.body)),
        files=tuple(a.filename for a in message.attachments),
        email=(emails or {}).get(message.id),
    )


def build_transcript(
    *,
    organization: Organization,
    issue: Issue,
    customer: Customer,
    agents: Iterable[Agent],
    room: Room,
    audience: Audience,
    messages: Sequence[Message],
    resolved_at: datetime | None,
    generated_at: datetime,
    version: int | None,
    redact: Callable[[str], str],
    emails: Mapping[str, EmailLine] | None = None,
    history: Sequence[Activity] = (),
) -> Transcript:
    """The transcript of `room` for `audience`, from `messages` in sequence order.
    Kinds the audience may not read are dropped here, whatever the caller passed.
    The agents' record also holds the lifecycle events of `history`, in time order."""
    shown = shown_messages(messages, room, audience)
    shown.sort(key=lambda m: m.seq)
    agents = list(agents)
    names = {a.id: a.name for a in agents}
    entries = tuple(
        in_order(
            (message_entry(m, redact, emails) for m in shown),
            lifecycle_entries(history, names, customer.name) if audience is Audience.AGENTS else [],
        )
    )
    head = TranscriptHead(
        organization=organization.name,
        reference=issue.reference,
        subject=redact(issue.subject),
        customer=customer_label(customer),
        agents=agents_taking_part(issue.owner_agent_id, agent_authors(shown), agents),
        room=room,
        audience=audience,
        created_at=issue.created_at,
        resolved_at=resolved_at,
        generated_at=generated_at,
        version=version,
        count=len(entries),
    )
    return Transcript(head, entries)


class EventsInOrder:
    """Places lifecycle events among a room's messages, a message at a time: each
    event goes before the first message written after it."""

    def __init__(self, events: Iterable[TranscriptEntry]) -> None:
        self._pending = sorted(events, key=lambda e: e.time)
        self._taken = 0

    def around(self, message: TranscriptEntry) -> list[TranscriptEntry]:
        """The events due before `message`, then `message`."""
        start = self._taken
        while self._taken < len(self._pending) and self._pending[self._taken].time <= message.time:
            self._taken += 1
        return [*self._pending[start : self._taken], message]

    def rest(self) -> list[TranscriptEntry]:
        """The events after the last message."""
        rest, self._taken = self._pending[self._taken :], len(self._pending)
        return rest


def in_order(
    messages: Iterable[TranscriptEntry], events: Iterable[TranscriptEntry]
) -> Iterator[TranscriptEntry]:
    """Messages keep their sequence order; each event goes before the first
    message written after it."""
    merge = EventsInOrder(events)
    for message in messages:
        yield from merge.around(message)
    yield from merge.rest()


# Activity entries that keep a note's earlier text, and the detail field holding it.
EARLIER_TEXT = {"note.edited": "previous_body", "note.deleted": "body"}


def as_they_stood(
    messages: Sequence[Message], history: Sequence[Activity], at: datetime
) -> list[Message]:
    """`messages` as they read at `at`: a note edited or deleted since shows the
    text it had then, taken from the first later entry of the Issue's activity log
    that kept it (redacted along with the message when there was a redaction)."""
    changes = sorted(
        (e for e in history if e.action in EARLIER_TEXT and e.created_at is not None),
        key=lambda e: (e.created_at, e.id),
    )
    then: dict[str, str] = {}
    edited: dict[str, datetime] = {}
    for entry in changes:
        message_id, when = entry.detail.get("message_id"), entry.created_at
        if not isinstance(message_id, str) or when is None:
            continue
        if when > at:
            then.setdefault(message_id, str(entry.detail.get(EARLIER_TEXT[entry.action], "")))
        elif entry.action == "note.edited":
            edited[message_id] = when
    return [
        replace(
            m,
            body=then[m.id],
            edited_at=edited.get(m.id),
            deleted_at=m.deleted_at if m.deleted_at and m.deleted_at <= at else None,
        )
        if m.id in then
        else m
        for m in messages
    ]
