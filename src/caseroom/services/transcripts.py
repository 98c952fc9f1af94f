"""Use cases on transcripts: schedule them with a resolution, gather what goes in
them, file them once per resolution, list and serve them (agents), and build the
Customer's copy of the public room (no notes)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from caseroom.domain import events
from caseroom.domain.errors import NotFound
from caseroom.domain.ids import new_id
from caseroom.domain.model import AgentPrincipal, Issue, Message, Principal, Room
from caseroom.domain.redaction import redact_text
from caseroom.domain.transcript import (
    Audience,
    Transcript,
    TranscriptFormat,
    build_transcript,
    transcript_kinds,
)
from caseroom.services.common import access_issue, utcnow
from caseroom.storage.files import TranscriptFile
from caseroom.storage.jobs import Job
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


@dataclass(frozen=True, slots=True)
class RenderedFile:
    room: Room
    format: TranscriptFormat
    filename: str
    content_type: str
    sha256: str
    size: int


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
    job = Job(
        id=new_id(),
        org_id=issue.org_id,
        kind=TRANSCRIPTS_JOB,
        dedupe_key=f"{TRANSCRIPTS_JOB}:{resolution_id}",
        payload=resolution.to_payload(),
        run_after=now,
    )
    await uow.jobs.enqueue(job, now)


async def load_redactor(uow: UnitOfWork, org_id: str) -> Callable[[str], str]:
    """The organization's redaction patterns (card numbers built in), applied to
    every text a transcript shows. Every transcript path calls this one function."""
    patterns = await uow.list_redaction_patterns(org_id)

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


async def _build(
    uow: UnitOfWork,
    issue: Issue,
    room: Room,
    audience: Audience,
    *,
    resolved_at: datetime | None,
    version: int | None,
    upto: int | None,
) -> Transcript:
    organization = await uow.organizations.get(issue.org_id)
    customer = await uow.customers.get(issue.org_id, issue.customer_id)
    if organization is None or customer is None:
        raise NotFound("no such Issue")
    return build_transcript(
        organization=organization,
        issue=issue,
        customer=customer,
        agents=await uow.agents.list(issue.org_id),
        room=room,
        audience=audience,
        messages=await _room_messages(uow, issue, room, audience, upto),
        resolved_at=resolved_at,
        generated_at=utcnow(),
        version=version,
        redact=await load_redactor(uow, issue.org_id),
    )


async def gather_for_filing(
    uow: UnitOfWork, org_id: str, resolution: Resolution
) -> list[Transcript] | None:
    """The two transcripts (public, private) of a resolution, or None if they were
    filed already (a retried job)."""
    if await uow.transcripts.for_resolution(org_id, resolution.issue_id, resolution.resolution_id):
        return None
    issue = await uow.issues.get(org_id, resolution.issue_id)
    if issue is None:
        raise NotFound("no such Issue")
    return [
        await _build(
            uow,
            issue,
            room,
            Audience.AGENTS,
            resolved_at=resolution.resolved_at,
            version=resolution.version,
            upto=resolution.last_seq[room],
        )
        for room in (Room.PUBLIC, Room.PRIVATE)
    ]


async def file_transcripts(
    uow: UnitOfWork, org_id: str, resolution: Resolution, files: list[RenderedFile]
) -> list[TranscriptFile]:
    """Record the rendered files of one resolution, unless a retry got there first
    (the unique key on resolution, room and format backs this check)."""
    filed = await uow.transcripts.for_resolution(
        org_id, resolution.issue_id, resolution.resolution_id
    )
    if filed:
        return filed
    issue = await uow.issues.get(org_id, resolution.issue_id)
    if issue is None:
        raise NotFound("no such Issue")
    now = utcnow()
    filed = [
        TranscriptFile(
            id=new_id(),
            org_id=org_id,
            issue_id=issue.id,
            resolution_id=resolution.resolution_id,
            version=resolution.version,
            room=f.room,
            format=f.format,
            filename=f.filename,
            content_type=f.content_type,
            size=f.size,
            sha256=f.sha256,
            resolved_at=resolution.resolved_at,
            created_at=now,
        )
        for f in files
    ]
    for file in filed:
        await uow.transcripts.add(file)
    payload = {"version": resolution.version, "transcripts": [transcript_payload(f) for f in filed]}
    uow.emit(events.transcripts_filed(issue, payload))
    return filed


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
    return await _build(
        uow,
        issue,
        Room.PUBLIC,
        Audience.CUSTOMER,
        resolved_at=issue.resolved_at,
        version=None,
        upto=None,
    )
