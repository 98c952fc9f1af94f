"""Repositories for webhook endpoints and their deliveries (the delivery log)."""

from __future__ import annotations

import dataclasses
import json
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from caseroom.domain.webhooks import Breaker, WebhookDelivery, WebhookEndpoint
from caseroom.storage import tables as t
from caseroom.storage.secrets import SecretBox

_e = t.webhook_endpoints.c
_d = t.webhook_deliveries.c
# Built once: it runs in every transaction that stages an event integrators get.
_SUBSCRIPTIONS = (
    select(t.webhook_endpoints)
    .where(_e.org_id == bindparam("org_id"), _e.bot_id.is_(None))
    .order_by(_e.created_at, _e.id)
)


class WebhookEndpointRepository:
    def __init__(self, conn: AsyncConnection, box: SecretBox | None) -> None:
        self._conn = conn
        self._box = box

    def _seal(self, secrets: tuple[str, ...]) -> str:
        values = {"secrets": json.dumps(list(secrets))}
        return self._box.seal(values) if self._box else json.dumps(values)

    def _open(self, sealed: str) -> tuple[str, ...]:
        values = self._box.open(sealed) if self._box else json.loads(sealed)
        return tuple(json.loads(values.get("secrets", "[]")))

    def _endpoint(self, row: Any) -> WebhookEndpoint:
        return WebhookEndpoint(
            id=row.id,
            org_id=row.org_id,
            url=row.url,
            secrets=self._open(row.secrets),
            bot_id=row.bot_id,
            events=tuple(row.events or ()),
            active=bool(row.active),
            breaker=Breaker(row.failures, row.open_until),
            created_at=row.created_at,
        )

    async def add(self, endpoint: WebhookEndpoint) -> None:
        await self._conn.execute(
            insert(t.webhook_endpoints).values(
                id=endpoint.id,
                org_id=endpoint.org_id,
                bot_id=endpoint.bot_id,
                url=endpoint.url,
                events=list(endpoint.events),
                secrets=self._seal(endpoint.secrets),
                active=endpoint.active,
                failures=0,
                open_until=None,
                created_at=endpoint.created_at,
            )
        )

    async def save(self, endpoint: WebhookEndpoint) -> None:
        await self._conn.execute(
            update(t.webhook_endpoints)
            .where(_e.org_id == endpoint.org_id, _e.id == endpoint.id)
            .values(
                url=endpoint.url,
                events=list(endpoint.events),
                secrets=self._seal(endpoint.secrets),
                active=endpoint.active,
            )
        )

    async def set_breaker(self, org_id: str, endpoint_id: str, breaker: Breaker) -> None:
        await self._conn.execute(
            update(t.webhook_endpoints)
            .where(_e.org_id == org_id, _e.id == endpoint_id)
            .values(failures=breaker.failures, open_until=breaker.open_until)
        )

    async def get(self, org_id: str, endpoint_id: str) -> WebhookEndpoint | None:
        query = select(t.webhook_endpoints).where(_e.org_id == org_id, _e.id == endpoint_id)
        row = (await self._conn.execute(query)).first()
        return self._endpoint(row) if row else None

    async def for_bot(self, org_id: str, bot_id: str) -> WebhookEndpoint | None:
        query = select(t.webhook_endpoints).where(_e.org_id == org_id, _e.bot_id == bot_id)
        row = (await self._conn.execute(query)).first()
        return self._endpoint(row) if row else None

    async def subscriptions(self, org_id: str) -> list[WebhookEndpoint]:
        """The organization's integrator endpoints (not bots'), oldest first."""
        rows = (await self._conn.execute(_SUBSCRIPTIONS, {"org_id": org_id})).all()
        return [self._endpoint(r) for r in rows]


def _delivery(row: Any) -> WebhookDelivery:
    return WebhookDelivery(
        id=row.id,
        org_id=row.org_id,
        endpoint_id=row.endpoint_id,
        event_type=row.event_type,
        issue_id=row.issue_id,
        payload=dict(row.payload),
        state=row.state,
        attempts=row.attempts,
        created_at=row.created_at,
        updated_at=row.updated_at,
        response_status=row.response_status,
        last_error=row.last_error,
    )


class WebhookDeliveryRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def add(self, delivery: WebhookDelivery) -> None:
        values = dataclasses.asdict(delivery)
        await self._conn.execute(insert(t.webhook_deliveries).values(**values))

    async def get(self, org_id: str, delivery_id: str) -> WebhookDelivery | None:
        query = select(t.webhook_deliveries).where(_d.org_id == org_id, _d.id == delivery_id)
        row = (await self._conn.execute(query)).first()
        return _delivery(row) if row else None

    async def record(
        self,
        org_id: str,
        delivery_id: str,
        *,
        state: str,
        now: datetime,
        status: int | None,
        error: str | None,
    ) -> None:
        await self._conn.execute(
            update(t.webhook_deliveries)
            .where(_d.org_id == org_id, _d.id == delivery_id)
            .values(
                state=state,
                attempts=_d.attempts + 1,
                response_status=status,
                last_error=error[:2000] if error else None,
                updated_at=now,
            )
        )

    async def requeue(self, org_id: str, delivery_id: str, now: datetime) -> None:
        await self._conn.execute(
            update(t.webhook_deliveries)
            .where(_d.org_id == org_id, _d.id == delivery_id)
            .values(state="queued", updated_at=now)
        )

    async def earlier_queued(self, delivery: WebhookDelivery) -> bool:
        """Whether an earlier delivery of the same Issue to the same endpoint is still
        queued (deliveries of one Issue go out in order)."""
        if delivery.issue_id is None:
            return False
        query = (
            select(_d.id)
            .where(
                _d.org_id == delivery.org_id,
                _d.endpoint_id == delivery.endpoint_id,
                _d.issue_id == delivery.issue_id,
                _d.state == "queued",
                (_d.created_at < delivery.created_at)
                | ((_d.created_at == delivery.created_at) & (_d.id < delivery.id)),
            )
            .limit(1)
        )
        return (await self._conn.execute(query)).first() is not None

    async def next_queued(self, delivery: WebhookDelivery) -> str | None:
        """The oldest delivery still queued of the same Issue to the same endpoint."""
        if delivery.issue_id is None:
            return None
        query = (
            select(_d.id)
            .where(
                _d.org_id == delivery.org_id,
                _d.endpoint_id == delivery.endpoint_id,
                _d.issue_id == delivery.issue_id,
                _d.state == "queued",
                _d.id != delivery.id,
            )
            .order_by(_d.created_at, _d.id)
            .limit(1)
        )
        return (await self._conn.execute(query)).scalar_one_or_none()

    async def forget_payloads(self, org_id: str, issue_ids: list[str]) -> None:
        """An erased Customer's conversation leaves the delivery log too."""
        if issue_ids:
            await self._conn.execute(
                update(t.webhook_deliveries)
                .where(_d.org_id == org_id, _d.issue_id.in_(issue_ids))
                .values(payload={"erased": True})
            )

    async def since(self, endpoint_id: str, since: datetime) -> int:
        query = select(func.count()).where(_d.endpoint_id == endpoint_id, _d.created_at >= since)
        return int((await self._conn.execute(query)).scalar_one())

    async def log(self, org_id: str, endpoint_id: str | None, limit: int) -> list[WebhookDelivery]:
        """The latest deliveries, newest first (of one endpoint, if given)."""
        query = select(t.webhook_deliveries).where(_d.org_id == org_id)
        if endpoint_id is not None:
            query = query.where(_d.endpoint_id == endpoint_id)
        query = query.order_by(_d.created_at.desc(), _d.id.desc()).limit(limit)
        return [_delivery(r) for r in (await self._conn.execute(query)).all()]
