"""Conversations started without an account, by the client's idempotency key."""

from __future__ import annotations

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from caseroom.domain.model import ConversationStart
from caseroom.storage import tables as t

_c = t.conversation_starts.c


class ConversationStartRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def add(self, start: ConversationStart) -> None:
        await self._conn.execute(
            insert(t.conversation_starts).values(
                org_id=start.org_id,
                idempotency_key=start.idempotency_key,
                secret_sha256=start.secret_sha256,
                customer_id=start.customer_id,
                issue_id=start.issue_id,
                message_id=start.message_id,
                created_at=start.created_at,
            )
        )

    async def get(self, org_id: str, idempotency_key: str) -> ConversationStart | None:
        query = select(t.conversation_starts).where(
            _c.org_id == org_id, _c.idempotency_key == idempotency_key
        )
        row = (await self._conn.execute(query)).first()
        if row is None:
            return None
        return ConversationStart(
            row.org_id,
            row.idempotency_key,
            row.secret_sha256,
            row.customer_id,
            row.issue_id,
            row.message_id,
            row.created_at,
        )
