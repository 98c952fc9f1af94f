"""Repository for room messages: per-room gapless sequence numbers and paging."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from caseroom.domain.model import Message, MessageKind, Room
from caseroom.domain.records import Page, Waiting
from caseroom.storage import tables as t
from caseroom.storage.driver_path import DriverStatement
from caseroom.storage.files import AttachmentRepository
from caseroom.storage.mappers import to_message
from caseroom.storage.search_index import SearchIndex

_m = t.messages.c
_i = t.issues.c
_SEQ_COLUMN = {Room.PUBLIC: _i.public_seq, Room.PRIVATE: _i.private_seq}

# Built once and reused with new parameters: every message sent runs these, and
# building a statement costs more than SQLite takes to run it (the send's own
# statements also skip SQLAlchemy's per-call work: storage/driver_path.py).
_BY_KEY = select(t.messages).where(
    _m.org_id == bindparam("org_id"),
    _m.sender_key == bindparam("sender_key"),
    _m.idempotency_key == bindparam("key"),
)
_ADD = DriverStatement(insert(t.messages))


def _take_seq(room: Room, set_waiting: bool) -> Any:
    column = _SEQ_COLUMN[room]
    values: dict[str, Any] = {column.key: column + 1, "last_message_at": bindparam("b_now")}
    if set_waiting:
        values["waiting_since"] = bindparam("b_waiting_since")
    return (
        update(t.issues)
        .where(_i.org_id == bindparam("b_org_id"), _i.id == bindparam("b_issue_id"))
        .values(values)
        .returning(column)
    )


_TAKE_SEQ = {(room, w): DriverStatement(_take_seq(room, w)) for room in Room for w in (False, True)}


class MessageRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def take_seq(
        self, org_id: str, issue_id: str, room: Room, now: datetime, waiting: Waiting
    ) -> int:
        """Bump the room's counter and return the new value. The UPDATE holds the
        Issue's row lock until commit, so concurrent senders queue up and a rollback
        gives the number back: sequences have no gaps.

        The waiting clock changes alongside (started at `now`, cleared, or kept),
        so a message costs one UPDATE on the Issue."""
        params: dict[str, Any] = {"b_org_id": org_id, "b_issue_id": issue_id, "b_now": now}
        if waiting is not Waiting.KEEP:
            params["b_waiting_since"] = now if waiting is Waiting.START else None
        query = _TAKE_SEQ[(room, waiting is not Waiting.KEEP)]
        ((seq,),) = await query.execute(self._conn, params)
        return int(seq)

    async def add(self, message: Message, sender_key: str | None) -> None:
        await _ADD.execute(
            self._conn,
            {
                "id": message.id,
                "org_id": message.org_id,
                "issue_id": message.issue_id,
                "room": message.room.value,
                "seq": message.seq,
                "kind": message.kind.value,
                "channel": message.channel.value,
                "author_kind": message.author_kind.value,
                "author_id": message.author_id,
                "author_name": message.author_name,
                "body": message.body,
                "created_at": message.created_at,
                "sender_key": sender_key,
                "idempotency_key": message.idempotency_key,
            },
        )
        await SearchIndex(self._conn).add_message(message)

    async def take_change_seq(self, org_id: str, issue_id: str) -> int:
        """Number the next change to an existing message of the Issue. Like
        `take_seq`, the UPDATE holds the Issue's row lock until commit, so changes
        commit in number order and a reader resuming after N misses none."""
        query = (
            update(t.issues)
            .where(_i.org_id == org_id, _i.id == issue_id)
            .values(change_seq=_i.change_seq + 1)
            .returning(_i.change_seq)
        )
        return int((await self._conn.execute(query)).scalar_one())

    async def get(self, org_id: str, message_id: str) -> Message | None:
        query = select(t.messages).where(_m.org_id == org_id, _m.id == message_id)
        row = (await self._conn.execute(query)).first()
        if row is None:
            return None
        return (await self._with_attachments(org_id, [to_message(row)]))[0]

    async def save_change(self, message: Message) -> None:
        """Write what an edit, deletion or redaction changes."""
        await self._conn.execute(
            update(t.messages)
            .where(_m.org_id == message.org_id, _m.id == message.id)
            .values(
                body=message.body,
                edited_at=message.edited_at,
                deleted_at=message.deleted_at,
                redacted_at=message.redacted_at,
                change_seq=message.change_seq,
            )
        )
        await SearchIndex(self._conn).replace_message(message)

    async def changed(
        self,
        org_id: str,
        issue_id: str,
        room: Room,
        kinds: frozenset[MessageKind],
        *,
        after: int,
        limit: int,
    ) -> Page:
        """Messages of one room changed after change number `after`, in change order."""
        query = (
            select(t.messages)
            .where(
                _m.org_id == org_id,
                _m.issue_id == issue_id,
                _m.room == room.value,
                _m.kind.in_([k.value for k in kinds]),
                _m.change_seq > after,
            )
            .order_by(_m.change_seq.asc())
            .limit(limit + 1)
        )
        rows = (await self._conn.execute(query)).all()
        found = await self._with_attachments(org_id, [to_message(r) for r in rows[:limit]])
        return Page(found, len(rows) > limit)

    async def by_idempotency_key(self, org_id: str, sender_key: str, key: str) -> Message | None:
        params = {"org_id": org_id, "sender_key": sender_key, "key": key}
        row = (await self._conn.execute(_BY_KEY, params)).first()
        if row is None:
            return None
        return (await self._with_attachments(org_id, [to_message(row)]))[0]

    async def _with_attachments(self, org_id: str, found: list[Message]) -> list[Message]:
        files = await AttachmentRepository(self._conn).for_messages(org_id, [m.id for m in found])
        return [replace(m, attachments=tuple(files[m.id])) if m.id in files else m for m in found]

    async def page(
        self,
        org_id: str,
        issue_id: str,
        room: Room,
        kinds: frozenset[MessageKind],
        *,
        after: int | None = None,
        before: int | None = None,
        limit: int = 50,
    ) -> Page:
        """Messages of one room in sequence order. `after` pages forward (exclusive),
        `before` pages back (exclusive); neither gives the newest page."""
        query = select(t.messages).where(
            _m.org_id == org_id,
            _m.issue_id == issue_id,
            _m.room == room.value,
            _m.kind.in_([k.value for k in kinds]),
        )
        if after is not None:
            query = query.where(_m.seq > after)
        if before is not None:
            query = query.where(_m.seq < before)
        forward = after is not None
        query = query.order_by(_m.seq.asc() if forward else _m.seq.desc()).limit(limit + 1)
        rows = (await self._conn.execute(query)).all()
        has_more = len(rows) > limit
        found = await self._with_attachments(org_id, [to_message(r) for r in rows[:limit]])
        return Page(found if forward else found[::-1], has_more)
