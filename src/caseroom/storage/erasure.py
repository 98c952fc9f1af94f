"""What erasing a Customer changes beyond messages and activity: their Issues'
addresses, the recipients of deliveries to them, and their files."""

from __future__ import annotations

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from caseroom.storage import tables as t

ERASED = "[erased]"


class ErasureRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def forget_addresses(self, org_id: str, issue_ids: list[str]) -> None:
        """The form's unverified contact details and the address replies went to."""
        if not issue_ids:
            return
        i = t.issues.c
        await self._conn.execute(
            update(t.issues)
            .where(i.org_id == org_id, i.id.in_(issue_ids))
            .values(given_contact=None, reply_address=None)
        )
        d = t.deliveries.c
        await self._conn.execute(
            update(t.deliveries)
            .where(d.org_id == org_id, d.issue_id.in_(issue_ids))
            .values(recipient=ERASED)
        )

    async def rename_author(self, org_id: str, customer_id: str, name: str) -> None:
        """The name shown on the Customer's own messages."""
        m = t.messages.c
        await self._conn.execute(
            update(t.messages)
            .where(m.org_id == org_id, m.author_kind == "customer", m.author_id == customer_id)
            .values(author_name=name)
        )

    async def remove_files(self, org_id: str, message_ids: list[str]) -> list[str]:
        """Delete the attachments of these messages; returns their blobs' sha256s."""
        if not message_ids:
            return []
        a = t.attachments.c
        where = (a.org_id == org_id, a.message_id.in_(message_ids))
        blobs = list((await self._conn.execute(select(a.sha256).where(*where))).scalars())
        await self._conn.execute(delete(t.attachments).where(*where))
        return blobs
