"""What each stored inbound email carried besides its message's text."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from caseroom.storage import tables as t

_m = t.inbound_mails.c
ERASED = "[erased]"


@dataclass(frozen=True, slots=True)
class InboundMail:
    message_id: str  # the message it was stored as
    org_id: str
    issue_id: str
    mail_id: str  # its Message-ID header, bare
    content_hash: str
    sender: str
    to: tuple[str, ...]
    cc: tuple[str, ...]
    subject: str
    created_at: datetime
    html: str | None = None  # sanitized
    quoted: str | None = None  # the folded history and signature
    machine_kinds: tuple[str, ...] = ()
    machine_reasons: tuple[str, ...] = field(default=())
    original_sha256: str | None = None  # the .eml kept for agents


class InboundMailRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def add(self, mail: InboundMail) -> None:
        machine = (
            {"kinds": list(mail.machine_kinds), "reasons": list(mail.machine_reasons)}
            if mail.machine_kinds
            else None
        )
        await self._conn.execute(
            insert(t.inbound_mails).values(
                message_id=mail.message_id,
                org_id=mail.org_id,
                issue_id=mail.issue_id,
                mail_id=mail.mail_id[:512],
                content_hash=mail.content_hash,
                sender=mail.sender[:320],
                recipients={"to": list(mail.to), "cc": list(mail.cc)},
                subject=mail.subject[:1000],
                html=mail.html,
                quoted=mail.quoted,
                machine=machine,
                original_sha256=mail.original_sha256,
                created_at=mail.created_at,
            )
        )

    async def redact(self, org_id: str, message_id: str, redact: Callable[[str], str]) -> None:
        """A redacted message's mail keeps its fold redacted and no HTML (whose
        markup could hide a secret from a text replacement)."""
        found = await self.for_message(org_id, message_id)
        if found is None:
            return
        quoted = redact(found.quoted) if found.quoted else found.quoted
        await self._conn.execute(
            update(t.inbound_mails)
            .where(_m.org_id == org_id, _m.message_id == message_id)
            .values(html=None, quoted=quoted)
        )

    async def erase(self, org_id: str, issue_ids: Sequence[str]) -> list[str]:
        """Erasing a Customer: the mails of their Issues keep no addresses, subject,
        HTML or fold, and their original .eml files go; returns those files'
        sha256s for release."""
        if not issue_ids:
            return []
        where = (_m.org_id == org_id, _m.issue_id.in_(list(issue_ids)))
        originals = [
            s
            for s in (await self._conn.execute(select(_m.original_sha256).where(*where))).scalars()
            if s
        ]
        await self._conn.execute(
            update(t.inbound_mails)
            .where(*where)
            .values(
                sender=ERASED,
                recipients={"to": [], "cc": []},
                subject=ERASED,
                html=None,
                quoted=None,
            )
        )
        if originals:
            a = t.attachments.c
            await self._conn.execute(
                delete(t.attachments).where(
                    a.org_id == org_id,
                    a.issue_id.in_(list(issue_ids)),
                    a.sha256.in_(originals),
                )
            )
        return originals

    async def find(self, org_id: str, mail_id: str, content_hash: str) -> InboundMail | None:
        """The copy of this mail already stored, if one was."""
        query = select(t.inbound_mails).where(
            _m.org_id == org_id, _m.mail_id == mail_id[:512], _m.content_hash == content_hash
        )
        row = (await self._conn.execute(query)).first()
        return _mail(row) if row else None

    async def for_messages(self, org_id: str, message_ids: Sequence[str]) -> list[InboundMail]:
        """The mails a page of messages came as (a room page shows them)."""
        if not message_ids:
            return []
        query = select(t.inbound_mails).where(
            _m.org_id == org_id, _m.message_id.in_(list(message_ids))
        )
        return [_mail(r) for r in (await self._conn.execute(query)).all()]

    async def earlier_ids(
        self, org_id: str, issue_id: str, room: str, before_seq: int
    ) -> list[str]:
        """The Message-IDs of the mails received in a room before a message, oldest
        first: what a reply's References continue (with the ones we sent)."""
        return [mail_id for _, mail_id in await self.earlier(org_id, issue_id, room, before_seq)]

    async def earlier(
        self, org_id: str, issue_id: str, room: str, before_seq: int
    ) -> list[tuple[int, str]]:
        """(seq, Message-ID) of the people's mails received in a room before a
        message, oldest first (machine mail never joins a thread)."""
        m = t.messages.c
        query = (
            select(m.seq, _m.mail_id, _m.machine)
            .join(t.messages, m.id == _m.message_id)
            .where(
                _m.org_id == org_id,
                _m.issue_id == issue_id,
                m.room == room,
                m.seq < before_seq,
            )
            .order_by(m.seq)
        )
        rows = (await self._conn.execute(query)).all()
        return [(r.seq, r.mail_id) for r in rows if not r.machine and "@" in r.mail_id]

    async def for_message(self, org_id: str, message_id: str) -> InboundMail | None:
        query = select(t.inbound_mails).where(_m.org_id == org_id, _m.message_id == message_id)
        row = (await self._conn.execute(query)).first()
        return _mail(row) if row else None


def _mail(row: Any) -> InboundMail:
    recipients = dict(row.recipients or {})
    machine = dict(row.machine or {})
    return InboundMail(
        message_id=row.message_id,
        org_id=row.org_id,
        issue_id=row.issue_id,
        mail_id=row.mail_id,
        content_hash=row.content_hash,
        sender=row.sender,
        to=tuple(recipients.get("to", ())),
        cc=tuple(recipients.get("cc", ())),
        subject=row.subject,
        created_at=row.created_at,
        html=row.html,
        quoted=row.quoted,
        machine_kinds=tuple(machine.get("kinds", ())),
        machine_reasons=tuple(machine.get("reasons", ())),
        original_sha256=row.original_sha256,
    )
