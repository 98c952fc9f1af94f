"""The search index: an entry per Issue (its reference, subject and Customer) and
per message, and a row per tag of an Issue, written in the transaction of every
change they mirror."""

from __future__ import annotations

from sqlalchemy import delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from caseroom.domain.model import Issue, Message
from caseroom.domain.search import index_terms, phone_digits
from caseroom.storage import tables as t
from caseroom.storage.driver_path import DriverStatement

_e = t.search_entries.c
# Built once: every message sent runs it, and a statement built per call costs
# a cache-key computation each time.
_ADD_MESSAGE_ENTRY = DriverStatement(insert(t.search_entries))
_c = t.issues.c
_tg = t.issue_tags.c


class SearchIndex:
    """Keeps search_entries and issue_tags in step; each call runs in the caller's
    transaction."""

    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def add_message(self, message: Message) -> None:
        terms = index_terms(message.body)
        if terms and message.deleted_at is None:
            await _ADD_MESSAGE_ENTRY.execute(
                self._conn,
                {
                    "org_id": message.org_id,
                    "issue_id": message.issue_id,
                    "message_id": message.id,
                    "room": message.room.value,
                    "kind": message.kind.value,
                    "terms": terms,
                },
            )

    async def replace_message(self, message: Message) -> None:
        """After an edit, a deletion or a redaction: the index holds only what the
        message says now (a redacted secret leaves the index with the change)."""
        await self._conn.execute(
            delete(t.search_entries).where(_e.org_id == message.org_id, _e.message_id == message.id)
        )
        await self.add_message(message)

    async def add_issue(self, issue: Issue) -> None:
        await self._conn.execute(
            insert(t.search_entries).values(
                org_id=issue.org_id,
                issue_id=issue.id,
                terms=await self._header_terms(
                    issue.org_id, issue.reference, issue.subject, issue.customer_id
                ),
            )
        )
        await self._tag(issue, issue.tags)

    async def update_issue(self, issue: Issue) -> None:
        terms = await self._header_terms(
            issue.org_id, issue.reference, issue.subject, issue.customer_id
        )
        await self._conn.execute(
            update(t.search_entries)
            .where(_e.org_id == issue.org_id, _e.issue_id == issue.id, _e.message_id.is_(None))
            .values(terms=terms)
        )
        stored = select(_tg.tag).where(_tg.org_id == issue.org_id, _tg.issue_id == issue.id)
        had = set((await self._conn.execute(stored)).scalars())
        gone = had.difference(issue.tags)
        if gone:
            await self._conn.execute(
                delete(t.issue_tags).where(
                    _tg.org_id == issue.org_id, _tg.issue_id == issue.id, _tg.tag.in_(sorted(gone))
                )
            )
        await self._tag(issue, tuple(tag for tag in issue.tags if tag not in had))

    async def _tag(self, issue: Issue, tags: tuple[str, ...]) -> None:
        if tags:
            rows = [{"org_id": issue.org_id, "tag": tag, "issue_id": issue.id} for tag in tags]
            await self._conn.execute(insert(t.issue_tags), rows)

    async def update_customer(self, org_id: str, customer_id: str) -> None:
        """After the Customer's contact details changed: every Issue of theirs."""
        query = select(_c.id, _c.reference, _c.subject).where(
            _c.org_id == org_id, _c.customer_id == customer_id
        )
        for issue_id, reference, subject in (await self._conn.execute(query)).all():
            terms = await self._header_terms(org_id, reference, subject, customer_id)
            await self._conn.execute(
                update(t.search_entries)
                .where(_e.org_id == org_id, _e.issue_id == issue_id, _e.message_id.is_(None))
                .values(terms=terms)
            )

    async def _header_terms(
        self, org_id: str, reference: str, subject: str, customer_id: str
    ) -> str:
        cu = t.customers.c
        query = select(cu.name, cu.email, cu.phone).where(cu.org_id == org_id, cu.id == customer_id)
        row = (await self._conn.execute(query)).first()
        name, email, phone = (row.name, row.email, row.phone) if row else ("", None, None)
        return index_terms(reference, subject, name, email, phone, phone_digits(phone))
