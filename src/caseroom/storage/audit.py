"""Repository for the audit log: append and read, nothing else."""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from caseroom.domain.audit import Actor, ActorKind, AuditEntry, AuditFilter
from caseroom.storage import tables as t

_c = t.audit_log.c


class AuditRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def add(self, entry: AuditEntry) -> None:
        await self._conn.execute(
            insert(t.audit_log).values(
                id=entry.id,
                org_id=entry.org_id,
                actor_kind=entry.actor.kind.value,
                actor_id=entry.actor.id,
                actor_name=entry.actor.name,
                action=entry.action,
                target_kind=entry.target_kind,
                target_id=entry.target_id,
                detail=entry.detail,
                client_address=entry.actor.client_address,
                created_at=entry.created_at,
            )
        )

    async def list(
        self, org_id: str, where: AuditFilter, *, before: str | None, limit: int
    ) -> list[AuditEntry]:
        """Newest first, keyset-paged on id (ids sort by creation time)."""
        query = select(t.audit_log).where(_c.org_id == org_id)
        if where.action:
            if where.action.endswith("."):
                query = query.where(_c.action.startswith(where.action, autoescape=True))
            else:
                query = query.where(_c.action == where.action)
        if where.actor_id:
            query = query.where(_c.actor_id == where.actor_id)
        if where.target_id:
            query = query.where(_c.target_id == where.target_id)
        if where.since:
            query = query.where(_c.created_at >= where.since)
        if where.until:
            query = query.where(_c.created_at < where.until)
        if before:
            query = query.where(_c.id < before)
        query = query.order_by(_c.id.desc()).limit(limit)
        return [_entry(row) for row in (await self._conn.execute(query)).all()]


def _entry(row: Any) -> AuditEntry:
    actor = Actor(ActorKind(row.actor_kind), row.actor_id, row.actor_name, row.client_address)
    return AuditEntry(
        row.id,
        row.org_id,
        actor,
        row.action,
        row.target_kind,
        row.target_id,
        dict(row.detail or {}),
        row.created_at,
    )
