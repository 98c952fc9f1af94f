"""Whether anyone is at the desk: agents' consoles mark when they were last
connected, and the widget asks whether any active agent was, lately."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from caseroom.storage import tables as t
from caseroom.storage.principal_epoch import PRINCIPAL_NEUTRAL

_a = t.agents.c


class AvailabilityRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def seen(self, org_id: str, agent_id: str, now: datetime) -> None:
        await self._conn.execute(
            update(t.agents)
            .where(_a.org_id == org_id, _a.id == agent_id)
            .values(last_seen_at=now)
            .execution_options(**PRINCIPAL_NEUTRAL)
        )

    async def anyone_since(self, org_id: str, since: datetime) -> bool:
        query = select(_a.id).where(
            _a.org_id == org_id, _a.active.is_(True), _a.last_seen_at >= since
        )
        return (await self._conn.execute(query.limit(1))).first() is not None
