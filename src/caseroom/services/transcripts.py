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
from caseroom.domain.model import AgentPrincipal, Issue, Message, Principal, Room
from caseroom.domain.records import TranscriptFile
from caseroom.domain.redaction import redact_text
from caseroom.domain.transcript import (
    Audience,
    EmailLine,
    Transcript,
    as_they_stood,
    build_transcript,
    transcript_kinds,
)
from caseroom.services.common import access_issue, utcnow
from caseroom.storage.uow import UnitOfWork

TRANSCRIPTS_JOB = "transcripts"
_PAGE = 500


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


async def _room_messages(
    uow: UnitOfWork, issue: Issue, room: Room, audience: Audience, upto: int | None
) -> list[Message]:
    kinds = transcript_kinds(audience, room)
    found: list[Message] = []
    after = 0
    while kinds:
        page = await uow.messages.page(
            issue.org_id, issue.id, room, kinds, after=after, limit=_PAGE
        )
        found += [m for m in page.messages if upto is None or m.seq <= upto]
        if not page.has_more or not page.messages:
            break
        after = page.messages[-1].seq
        if upto is not None and after >= upto:
            break
    return found


async def _as_resolved(
    uow: UnitOfWork, issue: Issue, messages: list[Message], resolution: Resolution
) -> tuple[Issue, list[Message]]:
    """The Issue and `messages` as they stood when `resolution` committed: notes
    edited or deleted since read as they did then, and the owner is the agent
    who owned the Issue then (its resolution's log entry says who)."""
    history = await uow.activity.for_issue(issue.org_id, issue.id)
    resolve = next((e for e in history if e.id == resolution.resolution_id), None)
    owner = resolve.detail.get("owner_agent_id") if resolve else None
    if isinstance(owner, str):
        issue = replace(issue, owner_agent_id=owner)
    stood = as_they_stood(messages, history, resolution.resolved_at)
    # A note deleted since shows again, with the files it carried.
    restored = [
        m.id for m, now in zip(stood, messages, strict=True) if now.deleted_at != m.deleted_at
    ]
    files = await uow.attachments.for_messages(issue.org_id, restored, with_deleted=True)
    return issue, [
        replace(m, attachments=tuple(files[m.id])) if m.id in files else m for m in stood
    ]


async def _build(
    uow: UnitOfWork,
    issue: Issue,
    room: Room,
    audience: Audience,
    resolution: Resolution | None,
) -> Transcript:
    """The transcript of `room` as `resolution` left it, or as it stands now."""
    organization = await uow.organizations.get(issue.org_id)
    customer = await uow.customers.get(issue.org_id, issue.customer_id)
    if organization is None or customer is None:
        raise NotFound("no such Issue")
    upto = resolution.last_seq[room] if resolution else None
    messages = await _room_messages(uow, issue, room, audience, upto)
    if resolution is not None:
        issue, messages = await _as_resolved(uow, issue, messages, resolution)
    history = await uow.activity.for_issue(issue.org_id, issue.id)
    if resolution is not None:
        history = [e for e in history if e.created_at and e.created_at <= resolution.resolved_at]
    return build_transcript(
        organization=organization,
        issue=issue,
        customer=customer,
        agents=await uow.agents.list(issue.org_id),
        room=room,
        audience=audience,
        messages=messages,
        resolved_at=resolution.resolved_at if resolution else issue.resolved_at,
        generated_at=utcnow(),
        version=resolution.version if resolution else None,
        redact=await load_redactor(uow, issue.org_id),
        emails=await _email_lines(uow, issue.org_id, [m.id for m in messages]),
        history=history,
    )


async def _email_lines(uow: UnitOfWork, org_id: str, ids: list[str]) -> dict[str, EmailLine]:
    """Who each email of the room was from and to: mail we sent, and mail received."""
    sent = await uow.message_emails.for_messages(org_id, ids)
    received = await uow.inbound_mails.for_messages(org_id, ids)
    return {
        **{e.message_id: EmailLine(e.sender, e.to, e.cc) for e in sent},
        **{m.message_id: EmailLine(m.sender, m.to, m.cc) for m in received},
    }


async def filed_transcript(
    uow: UnitOfWork, issue: Issue, room: Room, resolution: Resolution
) -> Transcript:
    """The record of `room` that `resolution` files: every kind of message up to
    the resolution's cut-off, as they stood then, with the organization's redaction
    patterns applied. The first filing and every re-rendering build it here."""
    return await _build(uow, issue, room, Audience.AGENTS, resolution)


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
    return await _build(uow, issue, Room.PUBLIC, Audience.CUSTOMER, None)
