"""Agents' mobile numbers, for texts between colleagues about an Issue."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from caseroom.storage import tables as t

_m = t.agent_mobiles.c


class AgentMobileRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def get(self, org_id: str, agent_id: str) -> str | None:
        query = select(_m.number).where(_m.org_id == org_id, _m.agent_id == agent_id)
        found: str | None = (await self._conn.execute(query)).scalar()
        return found

    async def agent_with(self, org_id: str, number: str) -> str | None:
        query = select(_m.agent_id).where(_m.org_id == org_id, _m.number == number)
        found: str | None = (await self._conn.execute(query)).scalar()
        return found

    async def put(self, org_id: str, agent_id: str, number: str, now: datetime) -> None:
        changed = await self._conn.execute(
            update(t.agent_mobiles)
            .where(_m.org_id == org_id, _m.agent_id == agent_id)
            .values(number=number, updated_at=now)
        )
        if not changed.rowcount:
            await self._conn.execute(
                insert(t.agent_mobiles).values(
                    org_id=org_id, agent_id=agent_id, number=number, updated_at=now
                )
            )

    async def remove(self, org_id: str, agent_id: str) -> None:
        await self._conn.execute(
            delete(t.agent_mobiles).where(_m.org_id == org_id, _m.agent_id == agent_id)
        )

    async def with_numbers(self, org_id: str) -> dict[str, str]:
        """agent id -> number, for every agent of the organization who gave one."""
        query = select(_m.agent_id, _m.number).where(_m.org_id == org_id)
        return {row.agent_id: row.number for row in (await self._conn.execute(query)).all()}
