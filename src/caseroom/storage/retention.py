"""Purging Issues: every row that belongs to an Issue goes with it. The tables
are found in the schema (each with an `issue_id`, children before parents), so a
table added later is purged too without a word here."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from caseroom.storage import tables as t

_i = t.issues.c
_BELONGING = [
    table
    for table in reversed(t.metadata.sorted_tables)
    if "issue_id" in table.c and table is not t.issues
]


class RetentionRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def expired(
        self, org_id: str, statuses: frozenset[str], before: datetime, limit: int
    ) -> list[str]:
        """Issues in one of `statuses` with nothing changed since `before`, oldest first."""
        query = (
            select(_i.id)
            .where(_i.org_id == org_id, _i.status.in_(statuses), _i.updated_at < before)
            .order_by(_i.updated_at)
            .limit(limit)
        )
        return list((await self._conn.execute(query)).scalars())

    async def purge(self, org_id: str, issue_ids: list[str]) -> list[str]:
        """Delete the Issues and all that belongs to them; returns the sha256s of
        the files they held (attachments and transcripts) for release."""
        if not issue_ids:
            return []
        blobs: list[str] = []
        for table in (t.attachments, t.transcripts):
            c = table.c
            where = (c.org_id == org_id, c.issue_id.in_(issue_ids))
            blobs.extend((await self._conn.execute(select(c.sha256).where(*where))).scalars())
        await self._conn.execute(
            update(t.issues)
            .where(_i.org_id == org_id, _i.linked_issue_id.in_(issue_ids))
            .values(linked_issue_id=None)
        )
        for table in _BELONGING:
            await self._conn.execute(delete(table).where(table.c.issue_id.in_(issue_ids)))
        await self._conn.execute(delete(t.issues).where(_i.org_id == org_id, _i.id.in_(issue_ids)))
        return blobs

    async def organization_ids(self) -> list[str]:
        return list((await self._conn.execute(select(t.organizations.c.id))).scalars())
