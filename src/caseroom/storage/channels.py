"""Repositories for channels: each organization's channel settings, delivery
records, read receipts, thread references and blocked addresses."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, delete, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from caseroom.domain.channels import ChannelSetup
from caseroom.domain.delivery import Delivery, DeliveryState, Receipt
from caseroom.domain.model import Channel, Room
from caseroom.storage import tables as t
from caseroom.storage.secrets import SecretBox

_s = t.channel_settings.c
_d = t.deliveries.c
_r = t.receipts.c
_th = t.thread_refs.c
_b = t.contact_blocks.c


class ChannelSettingsRepository:
    def __init__(self, conn: AsyncConnection, box: SecretBox | None) -> None:
        self._conn = conn
        self._box = box

    def _sealer(self) -> SecretBox:
        if self._box is None:
            raise RuntimeError("no secret key is configured for channel secrets")
        return self._box

    async def get(self, org_id: str, channel: Channel) -> ChannelSetup | None:
        found = await self._row(org_id, channel)
        return _setup(found, self._sealer()) if found else None

    async def secrets(self, org_id: str, channel: Channel) -> dict[str, str]:
        """The channel's secrets in clear, for the adapter that uses them."""
        found = await self._row(org_id, channel)
        return self._sealer().open(found.secrets) if found else {}

    async def enabled_configs(self, channel: Channel) -> list[tuple[str, dict[str, Any]]]:
        """(organization id, config) of every organization that set up `channel`:
        which organization an inbound address belongs to."""
        query = select(_s.org_id, _s.config).where(
            _s.channel == channel.value, _s.enabled.is_(True)
        )
        return [(r.org_id, dict(r.config or {})) for r in (await self._conn.execute(query)).all()]

    async def configured(self, org_id: str) -> frozenset[Channel]:
        query = select(_s.channel).where(_s.org_id == org_id, _s.enabled.is_(True))
        return frozenset(Channel(c) for c in (await self._conn.execute(query)).scalars())

    async def put(
        self,
        org_id: str,
        channel: Channel,
        *,
        enabled: bool,
        config: dict[str, Any],
        secrets: dict[str, str],
        now: datetime,
    ) -> None:
        values = {
            "enabled": enabled,
            "config": config,
            "secrets": self._sealer().seal(secrets) if secrets else None,
            "updated_at": now,
        }
        if await self._row(org_id, channel) is None:
            await self._conn.execute(
                insert(t.channel_settings).values(org_id=org_id, channel=channel.value, **values)
            )
        else:
            await self._conn.execute(
                update(t.channel_settings)
                .where(_s.org_id == org_id, _s.channel == channel.value)
                .values(**values)
            )

    async def delete(self, org_id: str, channel: Channel) -> bool:
        result = await self._conn.execute(
            delete(t.channel_settings).where(_s.org_id == org_id, _s.channel == channel.value)
        )
        return bool(result.rowcount)

    async def _row(self, org_id: str, channel: Channel) -> Any:
        query = select(t.channel_settings).where(_s.org_id == org_id, _s.channel == channel.value)
        return (await self._conn.execute(query)).first()


def _setup(row: Any, box: SecretBox) -> ChannelSetup:
    return ChannelSetup(
        row.org_id,
        Channel(row.channel),
        bool(row.enabled),
        dict(row.config or {}),
        frozenset(box.open(row.secrets)),
    )


def _delivery(row: Any) -> Delivery:
    return Delivery(
        id=row.id,
        org_id=row.org_id,
        issue_id=row.issue_id,
        message_id=row.message_id,
        channel=Channel(row.channel),
        recipient=row.recipient,
        state=DeliveryState(row.state),
        created_at=row.created_at,
        updated_at=row.updated_at,
        provider_id=row.provider_id,
        error_code=row.error_code,
        error=row.error,
    )


class DeliveryRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def add(self, delivery: Delivery) -> bool:
        """Record `delivery` unless this message already has one for the channel
        and recipient; True if added."""
        exists = select(_d.id).where(
            _d.message_id == delivery.message_id,
            _d.channel == delivery.channel.value,
            _d.recipient == delivery.recipient,
        )
        if (await self._conn.execute(exists)).first() is not None:
            return False
        await self._conn.execute(
            insert(t.deliveries).values(
                id=delivery.id,
                org_id=delivery.org_id,
                issue_id=delivery.issue_id,
                message_id=delivery.message_id,
                channel=delivery.channel.value,
                recipient=delivery.recipient,
                state=delivery.state.value,
                provider_id=delivery.provider_id,
                created_at=delivery.created_at,
                updated_at=delivery.updated_at,
            )
        )
        return True

    async def get(
        self, org_id: str, delivery_id: str, *, for_update: bool = False
    ) -> Delivery | None:
        query = select(t.deliveries).where(_d.org_id == org_id, _d.id == delivery_id)
        if for_update:
            query = query.with_for_update()
        row = (await self._conn.execute(query)).first()
        return _delivery(row) if row else None

    async def by_provider_id(
        self, org_id: str, channel: Channel, provider_id: str
    ) -> Delivery | None:
        query = select(t.deliveries).where(
            _d.org_id == org_id, _d.channel == channel.value, _d.provider_id == provider_id
        )
        row = (await self._conn.execute(query)).first()
        return _delivery(row) if row else None

    async def for_messages(self, org_id: str, message_ids: Sequence[str]) -> list[Delivery]:
        if not message_ids:
            return []
        query = (
            select(t.deliveries)
            .where(_d.org_id == org_id, _d.message_id.in_(list(message_ids)))
            .order_by(_d.created_at, _d.id)
        )
        return [_delivery(r) for r in (await self._conn.execute(query)).all()]

    async def save(self, delivery: Delivery) -> None:
        await self._conn.execute(
            update(t.deliveries)
            .where(_d.org_id == delivery.org_id, _d.id == delivery.id)
            .values(
                state=delivery.state.value,
                provider_id=delivery.provider_id,
                error_code=delivery.error_code,
                error=delivery.error,
                updated_at=delivery.updated_at,
            )
        )


class ReceiptRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def get(
        self, org_id: str, issue_id: str, room: Room, reader_kind: str, reader_id: str
    ) -> Receipt | None:
        query = select(t.receipts).where(
            _r.org_id == org_id,
            _r.issue_id == issue_id,
            _r.room == room.value,
            _r.reader_kind == reader_kind,
            _r.reader_id == reader_id,
        )
        row = (await self._conn.execute(query)).first()
        return _receipt(row) if row else None

    async def put(self, org_id: str, room: Room, receipt: Receipt, now: datetime) -> None:
        key = and_(
            _r.issue_id == receipt.issue_id,
            _r.room == room.value,
            _r.reader_kind == receipt.reader_kind,
            _r.reader_id == receipt.reader_id,
        )
        values = {
            "delivered_seq": receipt.delivered_seq,
            "read_seq": receipt.read_seq,
            "updated_at": now,
        }
        result = await self._conn.execute(update(t.receipts).where(key).values(**values))
        if not result.rowcount:
            await self._conn.execute(
                insert(t.receipts).values(
                    org_id=org_id,
                    issue_id=receipt.issue_id,
                    room=room.value,
                    reader_kind=receipt.reader_kind,
                    reader_id=receipt.reader_id,
                    **values,
                )
            )

    async def for_room(self, org_id: str, issue_id: str, room: Room) -> list[Receipt]:
        query = select(t.receipts).where(
            _r.org_id == org_id, _r.issue_id == issue_id, _r.room == room.value
        )
        return [_receipt(r) for r in (await self._conn.execute(query)).all()]


def _receipt(row: Any) -> Receipt:
    return Receipt(row.issue_id, row.reader_kind, row.reader_id, row.delivered_seq, row.read_seq)


class ThreadRepository:
    """Outside references (email Message-IDs, a phone thread) that lead to an Issue,
    per organization and channel."""

    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def issue_for(self, org_id: str, channel: Channel, refs: Iterable[str]) -> str | None:
        wanted = [r for r in refs if r]
        if not wanted:
            return None
        query = (
            select(_th.issue_id)
            .where(_th.org_id == org_id, _th.channel == channel.value, _th.ref.in_(wanted))
            .order_by(_th.created_at.desc())
            .limit(1)
        )
        return (await self._conn.execute(query)).scalar()

    async def add(
        self, org_id: str, channel: Channel, ref: str, issue_id: str, now: datetime
    ) -> None:
        """Point `ref` at `issue_id` (a later Issue takes a reused ref over)."""
        key = and_(_th.org_id == org_id, _th.channel == channel.value, _th.ref == ref)
        result = await self._conn.execute(
            update(t.thread_refs).where(key).values(issue_id=issue_id, created_at=now)
        )
        if not result.rowcount:
            await self._conn.execute(
                insert(t.thread_refs).values(
                    org_id=org_id, channel=channel.value, ref=ref, issue_id=issue_id, created_at=now
                )
            )


class ContactBlockRepository:
    """Addresses a channel must not write to, with the reason."""

    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def for_addresses(
        self, org_id: str, pairs: Iterable[tuple[Channel, str]]
    ) -> dict[tuple[Channel, str], str]:
        wanted = list(pairs)
        if not wanted:
            return {}
        query = select(_b.channel, _b.address, _b.reason).where(
            _b.org_id == org_id,
            or_(*(and_(_b.channel == c.value, _b.address == a) for c, a in wanted)),
        )
        rows = (await self._conn.execute(query)).all()
        return {(Channel(r.channel), r.address): r.reason for r in rows}

    async def block(
        self,
        org_id: str,
        channel: Channel,
        address: str,
        reason: str,
        detail: str | None,
        now: datetime,
    ) -> None:
        await self.unblock(org_id, channel, address)
        await self._conn.execute(
            insert(t.contact_blocks).values(
                org_id=org_id,
                channel=channel.value,
                address=address,
                reason=reason,
                detail=detail,
                created_at=now,
            )
        )

    async def unblock(self, org_id: str, channel: Channel, address: str) -> None:
        await self._conn.execute(
            delete(t.contact_blocks).where(
                _b.org_id == org_id, _b.channel == channel.value, _b.address == address
            )
        )
