"""Repositories for an Issue's files: message attachments and filed transcripts."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from caseroom.domain.model import Attachment, AuthorKind, MessageKind, Room
from caseroom.domain.records import TranscriptFile
from caseroom.domain.transcript import TranscriptFormat
from caseroom.storage import tables as t

_a = t.attachments.c
_m = t.messages.c
_t = t.transcripts.c


def _attachment_query(*, with_deleted: bool = False) -> Any:
    """Files with their message's room, kind and author; a deleted note's files
    go with it (unless asked for, as a transcript of an earlier time does)."""
    query = select(
        t.attachments, _m.room, _m.kind, _m.author_kind, _m.author_id, _m.author_name
    ).join(t.messages, _m.id == _a.message_id)
    return query if with_deleted else query.where(_m.deleted_at.is_(None))


def _to_attachment(row: Any) -> Attachment:
    return Attachment(
        id=row.id,
        org_id=row.org_id,
        issue_id=row.issue_id,
        message_id=row.message_id,
        room=Room(row.room),
        message_kind=MessageKind(row.kind),
        filename=row.filename,
        content_type=row.content_type,
        size=row.size,
        sha256=row.sha256,
        created_at=row.created_at,
        author_kind=AuthorKind(row.author_kind),
        author_id=row.author_id,
        author_name=row.author_name,
    )


class AttachmentRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def add(self, attachment: Attachment, position: int) -> None:
        await self._conn.execute(
            insert(t.attachments).values(
                id=attachment.id,
                org_id=attachment.org_id,
                issue_id=attachment.issue_id,
                message_id=attachment.message_id,
                position=position,
                filename=attachment.filename,
                content_type=attachment.content_type,
                size=attachment.size,
                sha256=attachment.sha256,
                created_at=attachment.created_at,
            )
        )

    async def get(self, org_id: str, issue_id: str, attachment_id: str) -> Attachment | None:
        query = _attachment_query().where(
            _a.org_id == org_id, _a.issue_id == issue_id, _a.id == attachment_id
        )
        row = (await self._conn.execute(query)).first()
        return _to_attachment(row) if row else None

    async def find(self, attachment_id: str) -> Attachment | None:
        """By id alone (ids are random and unique): for a signed link, which
        names the file and nothing else."""
        row = (await self._conn.execute(_attachment_query().where(_a.id == attachment_id))).first()
        return _to_attachment(row) if row else None

    async def for_issue(
        self, org_id: str, issue_id: str, visible: dict[Room, frozenset[MessageKind]]
    ) -> list[Attachment]:
        """Every file of the Issue in the rooms and message kinds given, oldest first."""
        found: list[Attachment] = []
        positions: dict[str, int] = {}
        for room, kinds in visible.items():
            if not kinds:
                continue
            query = _attachment_query().where(
                _a.org_id == org_id,
                _a.issue_id == issue_id,
                _m.room == room.value,
                _m.kind.in_([k.value for k in kinds]),
            )
            for row in (await self._conn.execute(query)).all():
                found.append(_to_attachment(row))
                positions[row.id] = row.position
        return sorted(found, key=lambda a: (a.created_at, a.message_id, positions[a.id]))

    async def for_messages(
        self, org_id: str, message_ids: list[str], *, with_deleted: bool = False
    ) -> dict[str, list[Attachment]]:
        by_message: dict[str, list[Attachment]] = defaultdict(list)
        if message_ids:
            query = (
                _attachment_query(with_deleted=with_deleted)
                .where(_a.org_id == org_id, _a.message_id.in_(message_ids))
                .order_by(_a.message_id, _a.position)
            )
            for row in (await self._conn.execute(query)).all():
                by_message[row.message_id].append(_to_attachment(row))
        return by_message

    async def blob_in_use(self, org_id: str, sha256: str) -> bool:
        """Whether any attachment or transcript of the organization stores these bytes."""
        for query in (
            select(_a.id).where(_a.org_id == org_id, _a.sha256 == sha256).limit(1),
            select(_t.id).where(_t.org_id == org_id, _t.sha256 == sha256).limit(1),
        ):
            if (await self._conn.execute(query)).first() is not None:
                return True
        return False


def _to_transcript(row: Any) -> TranscriptFile:
    return TranscriptFile(
        id=row.id,
        org_id=row.org_id,
        issue_id=row.issue_id,
        resolution_id=row.resolution_id,
        version=row.version,
        room=Room(row.room),
        format=TranscriptFormat(row.format),
        filename=row.filename,
        content_type=row.content_type,
        size=row.size,
        sha256=row.sha256,
        resolved_at=row.resolved_at,
        upto_seq=row.upto_seq,
        created_at=row.created_at,
    )


class TranscriptRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def add(self, file: TranscriptFile) -> None:
        await self._conn.execute(
            insert(t.transcripts).values(
                id=file.id,
                org_id=file.org_id,
                issue_id=file.issue_id,
                resolution_id=file.resolution_id,
                version=file.version,
                room=file.room.value,
                format=file.format.value,
                filename=file.filename,
                content_type=file.content_type,
                size=file.size,
                sha256=file.sha256,
                resolved_at=file.resolved_at,
                upto_seq=file.upto_seq,
                created_at=file.created_at,
            )
        )

    async def repoint(self, file: TranscriptFile) -> None:
        """Point a filed transcript at new contents (a re-rendering)."""
        await self._conn.execute(
            update(t.transcripts)
            .where(_t.org_id == file.org_id, _t.id == file.id)
            .values(sha256=file.sha256, size=file.size)
        )

    async def for_resolution(
        self, org_id: str, issue_id: str, resolution_id: str
    ) -> list[TranscriptFile]:
        query = select(t.transcripts).where(
            _t.org_id == org_id, _t.issue_id == issue_id, _t.resolution_id == resolution_id
        )
        return [_to_transcript(r) for r in (await self._conn.execute(query)).all()]

    async def for_issue(self, org_id: str, issue_id: str) -> list[TranscriptFile]:
        query = (
            select(t.transcripts)
            .where(_t.org_id == org_id, _t.issue_id == issue_id)
            .order_by(_t.version, _t.room, _t.format)
        )
        return [_to_transcript(r) for r in (await self._conn.execute(query)).all()]

    async def get(self, org_id: str, issue_id: str, transcript_id: str) -> TranscriptFile | None:
        query = select(t.transcripts).where(
            _t.org_id == org_id, _t.issue_id == issue_id, _t.id == transcript_id
        )
        row = (await self._conn.execute(query)).first()
        return _to_transcript(row) if row else None
