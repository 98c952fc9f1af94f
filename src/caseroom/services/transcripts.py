"""Use cases on transcripts: schedule them with a resolution, build what goes in
them (a resolution's rooms as they stood when it committed), list and serve the
filed versions (agents), and build the Customer's copy of the public room (no
notes). Filing and re-rendering are in transcript_filing.py."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from caseroom.domain.errors import NotFound
from caseroom.domain.model import (
    Activity,
    Agent,
    AgentPrincipal,
    Customer,
    Issue,
    Message,
    Organization,
    Principal,
    Room,
)
from caseroom.domain.records import TranscriptFile
from caseroom.domain.redaction import redact_text
from caseroom.domain.transcript import (
    Audience,
    EmailLine,
    EventsInOrder,
    Transcript,
    TranscriptEntry,
    TranscriptHead,
    agent_authors,
    agents_taking_part,
    as_they_stood,
    customer_label,
    lifecycle_entries,
    message_entry,
    shown_messages,
    transcript_kinds,
)
from caseroom.services.common import access_issue, utcnow
from caseroom.storage.uow import UnitOfWork

TRANSCRIPTS_JOB = "transcripts"
READ_PAGE = 500  # messages per read when going through a room


@dataclass(frozen=True, slots=True)
class Resolution:
    """What the resolution fixed when it committed: the transcripts record the rooms
    up to these sequence numbers, even if the Issue moves on before they are made."""

    issue_id: str
    resolution_id: str
    version: int
    resolved_at: datetime
    last_seq: dict[Room, int]

    def to_payload(self) -> dict[str, Any]:
        return {
            "issue_id": self.issue_id,
            "resolution_id": self.resolution_id,
            "version": self.version,
            "resolved_at": self.resolved_at.isoformat(),
            "last_seq": {room.value: seq for room, seq in self.last_seq.items()},
        }

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> Resolution:
        return cls(
            issue_id=payload["issue_id"],
            resolution_id=payload["resolution_id"],
            version=int(payload["version"]),
            resolved_at=datetime.fromisoformat(payload["resolved_at"]),
            last_seq={Room(room): int(seq) for room, seq in payload["last_seq"].items()},
        )

    @classmethod
    def of_filed(cls, filed: Sequence[TranscriptFile]) -> Resolution:
        """The resolution that filed `filed` (rows of one resolution)."""
        first = filed[0]
        return cls(
            issue_id=first.issue_id,
            resolution_id=first.resolution_id,
            version=first.version,
            resolved_at=first.resolved_at,
            last_seq={f.room: f.upto_seq for f in filed},
        )


async def schedule_transcripts(
    uow: UnitOfWork, issue: Issue, resolution_id: str, now: datetime
) -> None:
    """Enqueue the transcripts of a resolution in the resolution's own transaction;
    the worker makes them after it commits. The Issue's row is locked here, so the
    version (the how-many-th resolution this is) is exact."""
    version = await uow.activity.count_action(issue.org_id, issue.id, "resolve")
    resolution = Resolution(
        issue_id=issue.id,
        resolution_id=resolution_id,
        version=version,
        resolved_at=now,
        last_seq={Room.PUBLIC: issue.public_seq, Room.PRIVATE: issue.private_seq},
    )
    await uow.jobs.enqueue(
        TRANSCRIPTS_JOB,
        resolution.to_payload(),
        org_id=issue.org_id,
        now=now,
        dedupe_key=f"{TRANSCRIPTS_JOB}:{resolution_id}",
    )


async def load_redactor(uow: UnitOfWork, org_id: str) -> Callable[[str], str]:
    """The organization's redaction patterns (card numbers built in), applied to
    every text a transcript shows. Every transcript path calls this one function."""
    patterns = await uow.redaction_patterns.list_redaction_patterns(org_id)

    def redact(text: str) -> str:
        return redact_text(text, patterns)

    return redact


@dataclass(frozen=True, slots=True)
class RoomSource:
    """What a room's transcript is made from, read once (the Issue as the
    resolution left it, its organization, Customer, agents, activity log and
    redaction patterns); the messages are read by a `RoomPass`, a page at a time,
    as often as a renderer needs them. A long room is never held at once."""

    issue: Issue
    organization: Organization
    customer: Customer
    agents: tuple[Agent, ...]
    room: Room
    audience: Audience
    resolution: Resolution | None
    history: tuple[Activity, ...]  # the whole log: notes' earlier texts are in it
    redact: Callable[[str], str]
    generated_at: datetime
    read_page: int

    @property
    def upto(self) -> int | None:
        return self.resolution.last_seq[self.room] if self.resolution else None

    def reading(self) -> RoomPass:
        return RoomPass(self)

    def events(self) -> list[TranscriptEntry]:
        """The lifecycle events the transcript shows (the agents' record only)."""
        if self.audience is not Audience.AGENTS:
            return []
        cut = self.resolution.resolved_at if self.resolution else None
        history = [e for e in self.history if cut is None or (e.created_at and e.created_at <= cut)]
        names = {a.id: a.name for a in self.agents}
        return lifecycle_entries(history, names, self.customer.name)

    def head(self, read: RoomPass) -> TranscriptHead:
        """The transcript's head, from a whole pass over the room."""
        issue = self.issue
        return TranscriptHead(
            organization=self.organization.name,
            reference=issue.reference,
            subject=self.redact(issue.subject),
            customer=customer_label(self.customer),
            agents=agents_taking_part(issue.owner_agent_id, read.agent_authors, self.agents),
            room=self.room,
            audience=self.audience,
            created_at=issue.created_at,
            resolved_at=self.resolution.resolved_at if self.resolution else issue.resolved_at,
            generated_at=self.generated_at,
            version=self.resolution.version if self.resolution else None,
            count=read.count,
        )


class RoomPass:
    """One pass over a room's transcript entries in order, `read_page` messages per
    read (each read may be its own transaction)."""

    def __init__(self, source: RoomSource) -> None:
        self._source = source
        self._kinds = transcript_kinds(source.audience, source.room)
        self._after = 0
        self._done = False
        self._events = EventsInOrder(source.events())
        self.count = 0  # entries handed out so far
        self._authors: dict[str, None] = {}

    @property
    def agent_authors(self) -> list[str]:
        """The agents who wrote in the room so far, in order of their first entry."""
        return list(self._authors)

    async def next_page(self, uow: UnitOfWork) -> list[TranscriptEntry] | None:
        """The next entries, or None once the room has been read to its end."""
        if self._done:
            return None
        source, issue, upto = self._source, self._source.issue, self._source.upto
        messages: list[Message] = []
        if self._kinds:
            page = await uow.messages.page(
                issue.org_id, issue.id, source.room, self._kinds, after=self._after,
                limit=source.read_page,
            )  # fmt: skip
            messages = [m for m in page.messages if upto is None or m.seq <= upto]
            if page.messages:
                self._after = page.messages[-1].seq
            more = page.has_more and bool(page.messages)
            self._done = not more or (upto is not None and self._after >= upto)
        else:
            self._done = True
        if source.resolution is not None:
            messages = await _as_resolved(uow, issue, messages, source)
        shown = shown_messages(messages, source.room, source.audience)
        self._authors.update(dict.fromkeys(agent_authors(shown)))
        emails = await _email_lines(uow, issue.org_id, [m.id for m in shown])
        entries = [
            entry
            for m in shown
            for entry in self._events.around(message_entry(m, source.redact, emails))
        ]
        if self._done:
            entries += self._events.rest()
        self.count += len(entries)
        return entries


async def _as_resolved(
    uow: UnitOfWork, issue: Issue, messages: list[Message], source: RoomSource
) -> list[Message]:
    """`messages` as they stood when the source's resolution committed: notes
    edited or deleted since read as they did then."""
    assert source.resolution is not None
    stood = as_they_stood(messages, source.history, source.resolution.resolved_at)
    # A note deleted since shows again, with the files it carried.
    restored = [
        m.id for m, now in zip(stood, messages, strict=True) if now.deleted_at != m.deleted_at
    ]
    files = await uow.attachments.for_messages(issue.org_id, restored, with_deleted=True)
    return [replace(m, attachments=tuple(files[m.id])) if m.id in files else m for m in stood]


async def room_source(
    uow: UnitOfWork,
    issue: Issue,
    room: Room,
    audience: Audience,
    resolution: Resolution | None,
    read_page: int = READ_PAGE,
) -> RoomSource:
    """The source of `room`'s transcript as `resolution` left it (the owner then is
    the agent its log entry names), or as it stands now."""
    organization = await uow.organizations.get(issue.org_id)
    customer = await uow.customers.get(issue.org_id, issue.customer_id)
    if organization is None or customer is None:
        raise NotFound("no such Issue")
    history = await uow.activity.for_issue(issue.org_id, issue.id)
    if resolution is not None:
        resolve = next((e for e in history if e.id == resolution.resolution_id), None)
        owner = resolve.detail.get("owner_agent_id") if resolve else None
        if isinstance(owner, str):
            issue = replace(issue, owner_agent_id=owner)
    return RoomSource(
        issue=issue,
        organization=organization,
        customer=customer,
        agents=tuple(await uow.agents.list(issue.org_id)),
        room=room,
        audience=audience,
        resolution=resolution,
        history=tuple(history),
        redact=await load_redactor(uow, issue.org_id),
        generated_at=utcnow(),
        read_page=read_page,
    )


async def _whole(uow: UnitOfWork, source: RoomSource) -> Transcript:
    """The whole transcript, read in one transaction (a room one reads on demand)."""
    reading = source.reading()
    entries: list[TranscriptEntry] = []
    while (page := await reading.next_page(uow)) is not None:
        entries += page
    return Transcript.of(source.head(reading), entries)


async def _email_lines(uow: UnitOfWork, org_id: str, ids: list[str]) -> dict[str, EmailLine]:
    """Who each email of the room was from and to: mail we sent, and mail received."""
    if not ids:
        return {}
    sent = await uow.message_emails.for_messages(org_id, ids)
    received = await uow.inbound_mails.for_messages(org_id, ids)
    return {
        **{e.message_id: EmailLine(e.sender, e.to, e.cc) for e in sent},
        **{m.message_id: EmailLine(m.sender, m.to, m.cc) for m in received},
    }


async def filed_transcript(
    uow: UnitOfWork, issue: Issue, room: Room, resolution: Resolution, read_page: int = READ_PAGE
) -> RoomSource:
    """The record of `room` that `resolution` files: every kind of message up to
    the resolution's cut-off, as they stood then, with the organization's redaction
    patterns applied. The first filing and every re-rendering read it from here."""
    return await room_source(uow, issue, room, Audience.AGENTS, resolution, read_page)


def transcript_payload(file: TranscriptFile) -> dict[str, Any]:
    return {
        "id": file.id,
        "version": file.version,
        "room": file.room.value,
        "format": file.format.value,
        "filename": file.filename,
        "content_type": file.content_type,
        "size": file.size,
        "resolution_id": file.resolution_id,
        "resolved_at": file.resolved_at.isoformat(),
        "created_at": file.created_at.isoformat(),
        "download_path": f"/api/v1/issues/{file.issue_id}/transcripts/{file.id}/content",
    }


def _require_agent_or_hide(principal: Principal) -> None:
    """Filed transcripts hold private content: to a Customer they do not exist."""
    if not isinstance(principal, AgentPrincipal):
        raise NotFound("no such Issue")


async def list_transcripts(
    principal: Principal, uow: UnitOfWork, issue_id: str
) -> list[TranscriptFile]:
    _require_agent_or_hide(principal)
    issue = await access_issue(principal, uow, issue_id)
    return await uow.transcripts.for_issue(issue.org_id, issue.id)


async def access_transcript(
    principal: Principal, uow: UnitOfWork, issue_id: str, transcript_id: str
) -> TranscriptFile:
    _require_agent_or_hide(principal)
    issue = await access_issue(principal, uow, issue_id)
    found = await uow.transcripts.get(issue.org_id, issue.id, transcript_id)
    if found is None:
        raise NotFound("no such transcript")
    return found


async def customer_copy(principal: Principal, uow: UnitOfWork, issue_id: str) -> Transcript:
    """The public room as the Customer sees it, as it stands now: no notes, nothing
    of the private room. Agents may fetch it too, to see what the Customer gets."""
    issue = await access_issue(principal, uow, issue_id)
    return await _whole(uow, await room_source(uow, issue, Room.PUBLIC, Audience.CUSTOMER, None))
