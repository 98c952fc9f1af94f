"""Repository for agents' notifications."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from caseroom.domain.model import Notification, NotificationKind
from caseroom.storage import tables as t

_n = t.notifications.c


def _notification(row: Any) -> Notification:
    return Notification(
        row.id,
        row.org_id,
        row.agent_id,
        NotificationKind(row.kind),
        row.issue_id,
        row.message_id,
        row.actor_id,
        row.created_at,
        row.read_at,
    )


class NotificationRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def get(self, org_id: str, notification_id: str) -> Notification | None:
        query = select(t.notifications).where(_n.org_id == org_id, _n.id == notification_id)
        row = (await self._conn.execute(query)).first()
        return _notification(row) if row else None

    async def exists(self, org_id: str, agent_id: str, message_id: str, kind: str) -> bool:
        query = select(_n.id).where(
            _n.org_id == org_id,
            _n.agent_id == agent_id,
            _n.message_id == message_id,
            _n.kind == kind,
        )
        return (await self._conn.execute(query)).first() is not None

    async def add(self, notification: Notification) -> None:
        await self._conn.execute(
            insert(t.notifications).values(
                id=notification.id,
                org_id=notification.org_id,
                agent_id=notification.agent_id,
                kind=notification.kind.value,
                issue_id=notification.issue_id,
                message_id=notification.message_id,
                actor_id=notification.actor_id,
                created_at=notification.created_at,
                read_at=notification.read_at,
            )
        )

    async def for_agent(
        self, org_id: str, agent_id: str, *, unread_only: bool, cursor: str | None, limit: int
    ) -> list[Notification]:
        """Newest first, keyset-paged on id."""
        query = select(t.notifications).where(_n.org_id == org_id, _n.agent_id == agent_id)
        if unread_only:
            query = query.where(_n.read_at.is_(None))
        if cursor:
            query = query.where(_n.id < cursor)
        query = query.order_by(_n.id.desc()).limit(limit)
        return [_notification(r) for r in (await self._conn.execute(query)).all()]

    async def count_unread(self, org_id: str, agent_id: str) -> int:
        query = select(func.count()).where(
            _n.org_id == org_id, _n.agent_id == agent_id, _n.read_at.is_(None)
        )
        return int((await self._conn.execute(query)).scalar_one())

    async def owned(self, org_id: str, agent_id: str, ids: Sequence[str]) -> set[str]:
        """Which of `ids` are this agent's notifications."""
        query = select(_n.id).where(_n.org_id == org_id, _n.agent_id == agent_id, _n.id.in_(ids))
        return set((await self._conn.execute(query)).scalars())

    async def mark_read(
        self, org_id: str, agent_id: str, ids: Sequence[str] | None, now: datetime
    ) -> int:
        """Mark the given notifications (all when `ids` is None) read; how many changed."""
        query = update(t.notifications).where(
            _n.org_id == org_id, _n.agent_id == agent_id, _n.read_at.is_(None)
        )
        if ids is not None:
            query = query.where(_n.id.in_(ids))
        result = await self._conn.execute(query.values(read_at=now))
        return int(result.rowcount or 0)
