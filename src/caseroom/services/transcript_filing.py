"""Filing a resolution's transcripts, and rendering filed versions again after a
redaction, both by the job worker.

Jobs read what goes in a transcript in one transaction, render and store it
outside any, and record the files in a later one. A redaction that commits in
between would be missing from what they stored, so each job notes how many
redactions the Issue had before it read anything, and when it records its
files, under the Issue's lock (which every redaction also takes), counts again:
if the count moved, it schedules another rendering of the same versions. The
redaction itself schedules the versions that were filed before it."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from caseroom.domain import events
from caseroom.domain.errors import NotFound
from caseroom.domain.ids import new_id
from caseroom.domain.model import Issue, Message, Room
from caseroom.domain.records import TranscriptFile
from caseroom.domain.redaction import REDACTION_ACTION
from caseroom.domain.transcript import TranscriptFormat
from caseroom.services.blobs import release_blobs
from caseroom.services.common import record, utcnow
from caseroom.services.transcripts import (
    READ_PAGE,
    Resolution,
    RoomSource,
    filed_transcript,
    transcript_payload,
)
from caseroom.storage.uow import UnitOfWork

RERENDER_JOB = "transcripts.rerender"

Target = tuple[str, Room]  # a filed version of one room: (resolution id, room)


@dataclass(frozen=True, slots=True)
class Gathered:
    """Transcripts to render (each room's source, to read a page at a time), each
    with its resolution's id, and how many redactions the Issue had had before
    anything was read."""

    documents: list[tuple[str, RoomSource]]
    redactions: int


@dataclass(frozen=True, slots=True)
class RenderedFile:
    resolution_id: str
    room: Room
    format: TranscriptFormat
    filename: str
    content_type: str
    sha256: str
    size: int


@dataclass(frozen=True, slots=True)
class Rerender:
    """Filed versions to render again, and the redacted message that asked for it
    (None when a job found itself overtaken by a redaction)."""

    issue_id: str
    targets: tuple[Target, ...]
    message_id: str | None

    def to_payload(self) -> dict[str, Any]:
        return {
            "issue_id": self.issue_id,
            "targets": [{"resolution_id": rid, "room": room.value} for rid, room in self.targets],
            "message_id": self.message_id,
        }

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> Rerender:
        return cls(
            issue_id=payload["issue_id"],
            targets=tuple((t["resolution_id"], Room(t["room"])) for t in payload["targets"]),
            message_id=payload.get("message_id"),
        )


async def redactions_so_far(uow: UnitOfWork, org_id: str, issue_id: str) -> int:
    return await uow.activity.count_action(org_id, issue_id, REDACTION_ACTION)


async def _locked_issue(uow: UnitOfWork, org_id: str, issue_id: str) -> Issue:
    issue = await uow.issues.get(org_id, issue_id, for_update=True)
    if issue is None:
        raise NotFound("no such Issue")
    return issue


# -- filing on resolution ------------------------------------------------------------


async def gather_for_filing(
    uow: UnitOfWork, org_id: str, resolution: Resolution, read_page: int = READ_PAGE
) -> Gathered | None:
    """The two transcripts (public, private) of a resolution, or None if they were
    filed already (a retried job)."""
    if await uow.transcripts.for_resolution(org_id, resolution.issue_id, resolution.resolution_id):
        return None
    redactions = await redactions_so_far(uow, org_id, resolution.issue_id)
    issue = await uow.issues.get(org_id, resolution.issue_id)
    if issue is None:
        raise NotFound("no such Issue")
    documents = [
        (resolution.resolution_id, await filed_transcript(uow, issue, room, resolution, read_page))
        for room in (Room.PUBLIC, Room.PRIVATE)
    ]
    return Gathered(documents, redactions)


async def file_transcripts(
    uow: UnitOfWork,
    org_id: str,
    resolution: Resolution,
    files: list[RenderedFile],
    redactions: int,
) -> list[TranscriptFile]:
    """Record the rendered files of one resolution, unless a retry got there first
    (the unique key on resolution, room and format backs this check); then this
    run's files are let go of."""
    issue = await _locked_issue(uow, org_id, resolution.issue_id)
    now = utcnow()
    filed = await uow.transcripts.for_resolution(org_id, issue.id, resolution.resolution_id)
    if filed:
        await release_blobs(uow, org_id, [f.sha256 for f in files], now)
        return filed
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
            upto_seq=resolution.last_seq[f.room],
            created_at=now,
        )
        for f in files
    ]
    for file in filed:
        await uow.transcripts.add(file)
    payload = {"version": resolution.version, "transcripts": [transcript_payload(f) for f in filed]}
    uow.emit(events.transcripts_filed(issue, payload))
    if await redactions_so_far(uow, org_id, issue.id) != redactions:
        targets = tuple((resolution.resolution_id, room) for room in resolution.last_seq)
        await schedule_rerender(uow, issue, targets, message_id=None, now=now)
    return filed


# -- rendering again after a redaction -------------------------------------------------


async def versions_showing(
    uow: UnitOfWork, issue: Issue, message: Message, *, subject_changed: bool
) -> tuple[Target, ...]:
    """The filed versions that show `message` (its room, cut off at or after it);
    every filed version when the redaction changed the subject, which all show."""
    filed = await uow.transcripts.for_issue(issue.org_id, issue.id)
    return tuple(
        dict.fromkeys(
            (f.resolution_id, f.room)
            for f in filed
            if subject_changed or (f.room is message.room and f.upto_seq >= message.seq)
        )
    )


async def schedule_rerender(
    uow: UnitOfWork,
    issue: Issue,
    targets: Sequence[Target],
    *,
    message_id: str | None,
    now: datetime,
) -> None:
    """Enqueue a rendering of `targets` in the caller's transaction."""
    if not targets:
        return
    rerender = Rerender(issue.id, tuple(targets), message_id)
    await uow.jobs.enqueue(RERENDER_JOB, rerender.to_payload(), org_id=issue.org_id, now=now)


async def gather_for_rerender(
    uow: UnitOfWork, org_id: str, rerender: Rerender, read_page: int = READ_PAGE
) -> Gathered:
    """Each target version's transcript, built as its resolution left the room (same
    version, same cut-off) from the messages as they read now, redactions included."""
    redactions = await redactions_so_far(uow, org_id, rerender.issue_id)
    issue = await uow.issues.get(org_id, rerender.issue_id)
    if issue is None:
        raise NotFound("no such Issue")
    documents = []
    for resolution_id, room in rerender.targets:
        filed = await uow.transcripts.for_resolution(org_id, issue.id, resolution_id)
        resolution = Resolution.of_filed(filed) if filed else None
        if resolution is not None and room in resolution.last_seq:
            source = await filed_transcript(uow, issue, room, resolution, read_page)
            documents.append((resolution_id, source))
    return Gathered(documents, redactions)


async def replace_rendered(
    uow: UnitOfWork,
    org_id: str,
    rerender: Rerender,
    files: list[RenderedFile],
    redactions: int,
) -> list[TranscriptFile]:
    """Point the filed versions at their new files, let go of the old ones, and log
    it (which versions, never what was redacted)."""
    issue = await _locked_issue(uow, org_id, rerender.issue_id)
    now = utcnow()
    filed = {
        (f.resolution_id, f.room, f.format): f
        for f in await uow.transcripts.for_issue(org_id, issue.id)
    }
    changed: list[TranscriptFile] = []
    unused: list[str] = []
    for rendered in files:
        current = filed.get((rendered.resolution_id, rendered.room, rendered.format))
        if current is None or current.sha256 == rendered.sha256:
            unused.append(rendered.sha256)  # released only if nothing uses it
            continue
        unused.append(current.sha256)
        updated = dataclasses.replace(current, sha256=rendered.sha256, size=rendered.size)
        await uow.transcripts.repoint(updated)
        changed.append(updated)
    await release_blobs(uow, org_id, unused, now)
    if changed:
        detail = {
            "versions": sorted({f.version for f in changed}),
            "rooms": sorted({f.room.value for f in changed}),
            "transcript_ids": [f.id for f in changed],
            "message_id": rerender.message_id,
        }
        await record(uow, issue, None, "transcripts.rerendered", detail, now=now)
        payload = {"transcripts": [transcript_payload(f) for f in changed]}
        uow.emit(events.transcripts_rerendered(issue, payload))
    if await redactions_so_far(uow, org_id, issue.id) != redactions:
        await schedule_rerender(uow, issue, rerender.targets, message_id=None, now=now)
    return changed
