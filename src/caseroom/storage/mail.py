"""Repositories for outbound email: the email details of messages agents sent
by email (subject, sender, recipients, Message-ID) and the local capture of
outbound mail."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from caseroom.domain.model import Room
from caseroom.storage import tables as t

_e = t.message_emails.c
_c = t.captured_mail.c


@dataclass(frozen=True, slots=True)
class MessageEmail:
    message_id: str
    org_id: str
    issue_id: str
    room: Room
    created_at: datetime
    subject: str | None = None
    sender: str | None = None
    to: tuple[str, ...] = ()
    cc: tuple[str, ...] = ()
    header_id: str | None = None


@dataclass(frozen=True, slots=True)
class CapturedMail:
    id: str
    org_id: str
    header_id: str
    sender: str
    recipients: tuple[str, ...]
    subject: str
    created_at: datetime
    raw: str = field(default="", repr=False)


def _email(row: Any) -> MessageEmail:
    return MessageEmail(
        message_id=row.message_id,
        org_id=row.org_id,
        issue_id=row.issue_id,
        room=Room(row.room),
        created_at=row.created_at,
        subject=row.subject,
        sender=row.sender,
        to=tuple(row.to_addresses or ()),
        cc=tuple(row.cc_addresses or ()),
        header_id=row.header_id,
    )


class MessageEmailRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def add(self, email: MessageEmail) -> None:
        await self._conn.execute(
            insert(t.message_emails).values(
                message_id=email.message_id,
                org_id=email.org_id,
                issue_id=email.issue_id,
                room=email.room.value,
                subject=email.subject,
                sender=email.sender,
                to_addresses=list(email.to),
                cc_addresses=list(email.cc),
                header_id=email.header_id,
                created_at=email.created_at,
            )
        )

    async def get(self, org_id: str, message_id: str) -> MessageEmail | None:
        query = select(t.message_emails).where(_e.org_id == org_id, _e.message_id == message_id)
        row = (await self._conn.execute(query)).first()
        return _email(row) if row else None

    async def for_messages(self, org_id: str, message_ids: Sequence[str]) -> list[MessageEmail]:
        if not message_ids:
            return []
        query = select(t.message_emails).where(
            _e.org_id == org_id, _e.message_id.in_(list(message_ids))
        )
        return [_email(r) for r in (await self._conn.execute(query)).all()]

    async def set_header_id(self, org_id: str, message_id: str, header_id: str) -> None:
        """Record the Message-ID a sent mail had (the first one, if several)."""
        await self._conn.execute(
            update(t.message_emails)
            .where(_e.org_id == org_id, _e.message_id == message_id, _e.header_id.is_(None))
            .values(header_id=header_id)
        )

    async def earlier(
        self, org_id: str, issue_id: str, room: Room, before_seq: int, limit: int = 50
    ) -> list[tuple[int, str | None, str | None]]:
        """(seq, Message-ID, subject) of the room's sent mail before message
        `before_seq`, oldest first (the last `limit`)."""
        m = t.messages.c
        query = (
            select(m.seq, _e.header_id, _e.subject)
            .select_from(t.message_emails.join(t.messages, m.id == _e.message_id))
            .where(
                _e.org_id == org_id,
                _e.issue_id == issue_id,
                _e.room == room.value,
                m.seq < before_seq,
            )
            .order_by(m.seq.desc())
            .limit(limit)
        )
        rows = (await self._conn.execute(query)).all()
        return [(r.seq, r.header_id, r.subject) for r in reversed(rows)]


class CapturedMailRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def add(self, mail: CapturedMail) -> bool:
        """Keep `mail` unless one with its Message-ID is kept already; True if kept."""
        exists = select(_c.id).where(_c.org_id == mail.org_id, _c.header_id == mail.header_id)
        if (await self._conn.execute(exists)).first() is not None:
            return False
        await self._conn.execute(
            insert(t.captured_mail).values(
                id=mail.id,
                org_id=mail.org_id,
                header_id=mail.header_id,
                sender=mail.sender,
                recipients=list(mail.recipients),
                subject=mail.subject,
                raw=mail.raw,
                created_at=mail.created_at,
            )
        )
        return True

    async def list(self, org_id: str, *, before: str | None, limit: int) -> list[CapturedMail]:
        query = select(t.captured_mail).where(_c.org_id == org_id)
        if before:
            query = query.where(_c.id < before)
        query = query.order_by(_c.id.desc()).limit(limit)
        return [_captured(r) for r in (await self._conn.execute(query)).all()]

    async def get(self, org_id: str, mail_id: str) -> CapturedMail | None:
        query = select(t.captured_mail).where(_c.org_id == org_id, _c.id == mail_id)
        row = (await self._conn.execute(query)).first()
        return _captured(row) if row else None


def _captured(row: Any) -> CapturedMail:
    return CapturedMail(
        id=row.id,
        org_id=row.org_id,
        header_id=row.header_id,
        sender=row.sender,
        recipients=tuple(row.recipients or ()),
        subject=row.subject,
        created_at=row.created_at,
        raw=row.raw,
    )
