"""Repository for canned responses (reply templates)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from caseroom.domain.model import CannedResponse
from caseroom.storage import tables as t

_c = t.canned_responses.c


def _canned(row: Any) -> CannedResponse:
    return CannedResponse(
        row.id,
        row.org_id,
        row.owner_agent_id,
        row.title,
        row.shortcut,
        row.body,
        tuple(row.tags or ()),
        row.created_by,
        row.created_at,
        row.updated_at,
    )


class CannedResponseRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def add(self, canned: CannedResponse) -> None:
        await self._conn.execute(
            insert(t.canned_responses).values(
                id=canned.id,
                org_id=canned.org_id,
                owner_agent_id=canned.owner_agent_id,
                title=canned.title,
                shortcut=canned.shortcut,
                body=canned.body,
                tags=list(canned.tags),
                created_by=canned.created_by,
                created_at=canned.created_at,
                updated_at=canned.updated_at,
            )
        )

    async def save(self, canned: CannedResponse) -> None:
        await self._conn.execute(
            update(t.canned_responses)
            .where(_c.org_id == canned.org_id, _c.id == canned.id)
            .values(
                title=canned.title,
                shortcut=canned.shortcut,
                body=canned.body,
                tags=list(canned.tags),
                updated_at=canned.updated_at,
            )
        )

    async def remove(self, org_id: str, canned_id: str) -> None:
        await self._conn.execute(
            delete(t.canned_responses).where(_c.org_id == org_id, _c.id == canned_id)
        )

    async def get(self, org_id: str, canned_id: str) -> CannedResponse | None:
        query = select(t.canned_responses).where(_c.org_id == org_id, _c.id == canned_id)
        row = (await self._conn.execute(query)).first()
        return _canned(row) if row else None

    async def visible_to(self, org_id: str, agent_id: str) -> list[CannedResponse]:
        """The organization's templates and the agent's own, by title."""
        query = (
            select(t.canned_responses)
            .where(
                _c.org_id == org_id,
                or_(_c.owner_agent_id.is_(None), _c.owner_agent_id == agent_id),
            )
            .order_by(_c.title, _c.id)
        )
        return [_canned(r) for r in (await self._conn.execute(query)).all()]

    async def count_visible(self, org_id: str, owner_agent_id: str | None) -> int:
        found = await self._conn.execute(
            select(_c.id).where(
                _c.org_id == org_id,
                _c.owner_agent_id.is_(None)
                if owner_agent_id is None
                else _c.owner_agent_id == owner_agent_id,
            )
        )
        return len(found.all())
