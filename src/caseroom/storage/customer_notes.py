"""Notes agents keep about a Customer, and the lookups the Customer panel needs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from caseroom.storage import tables as t

_n = t.customer_notes.c
_cu = t.customers.c


@dataclass(frozen=True, slots=True)
class CustomerNote:
    id: str
    customer_id: str
    author_id: str | None
    body: str
    created_at: datetime


class CustomerNoteRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def add(self, org_id: str, note: CustomerNote) -> None:
        await self._conn.execute(
            insert(t.customer_notes).values(
                id=note.id,
                org_id=org_id,
                customer_id=note.customer_id,
                author_id=note.author_id,
                body=note.body,
                created_at=note.created_at,
            )
        )

    async def for_customer(self, org_id: str, customer_id: str) -> list[CustomerNote]:
        query = (
            select(_n.id, _n.customer_id, _n.author_id, _n.body, _n.created_at)
            .where(_n.org_id == org_id, _n.customer_id == customer_id)
            .order_by(_n.id.desc())
        )
        return [CustomerNote(*row) for row in (await self._conn.execute(query)).all()]

    async def contact_taken(self, org_id: str, customer_id: str, field: str, value: str) -> bool:
        """Whether another Customer of the organization already has this email,
        phone or external id."""
        column = _cu[field]
        query = select(_cu.id).where(_cu.org_id == org_id, column == value, _cu.id != customer_id)
        return (await self._conn.execute(query)).first() is not None
