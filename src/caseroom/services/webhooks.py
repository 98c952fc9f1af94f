"""Outgoing webhooks for integrators: an admin subscribes a URL to events (Issue
created, claimed, resolved; public message created; transcript filed). Each event
becomes one signed delivery per subscription, written as a job in the
transaction that made the event, so it survives a restart and is never sent for
a rolled-back one; deliveries of one Issue to one endpoint go out in order. The
delivery log is the admins' to read, with "send again"."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from caseroom.domain.errors import Conflict, InvalidInput, NotFound
from caseroom.domain.events import Event, view_for
from caseroom.domain.ids import new_id
from caseroom.domain.model import Bot, BotGrant, BotKind, BotPrincipal, MessageKind, Principal, Room
from caseroom.domain.webhooks import (
    FAILED,
    QUEUED,
    SUBSCRIBABLE,
    Breaker,
    WebhookDelivery,
    WebhookEndpoint,
    check_url,
    new_secret,
)
from caseroom.services.audit import audit
from caseroom.services.bot_calls import WEBHOOK_JOB
from caseroom.services.common import require_admin, utcnow
from caseroom.storage.uow import UnitOfWork

SUBSCRIPTIONS_MAX = 20


def subscribed_type(event: Event) -> str | None:
    """The integrators' name for `event`, or None if it is not one they get."""
    if event.type == "issue.created" or event.type == "transcript.filed":
        return event.type
    if event.type == "issue.updated" and "status" in event.payload["changes"]:
        status = event.payload["issue"]["status"]
        return {"claimed": "issue.claimed", "resolved": "issue.resolved"}.get(status)
    if event.type == "message.created" and event.room is Room.PUBLIC:
        kind = event.payload["message"]["kind"]
        return "message.created" if kind == MessageKind.MESSAGE.value else None
    return None


def integration(endpoint: WebhookEndpoint) -> BotPrincipal:
    """What an integration may receive: its organization's Issues as agents see them."""
    bot = Bot(endpoint.id, endpoint.org_id, "webhook", "Integration", BotKind.WEBHOOK)
    return BotPrincipal(
        endpoint.org_id, bot, BotGrant(None, frozenset(Room), frozenset(MessageKind))
    )


async def plan_webhooks(uow: UnitOfWork, staged: Sequence[Event]) -> None:
    subscribers: dict[str, list[WebhookEndpoint]] = {}
    now = utcnow()
    for index, event in enumerate(staged):
        event_type = subscribed_type(event)
        if event_type is None:
            continue
        org_id = event.scope.org_id
        if org_id not in subscribers:
            subscribers[org_id] = [e for e in await uow.webhooks.subscriptions(org_id) if e.active]
        for endpoint in subscribers[org_id]:
            if event_type not in endpoint.events:
                continue
            data = view_for(integration(endpoint), event)
            if data is None:
                continue
            at = now + timedelta(microseconds=index)  # keeps a transaction's events in order
            payload: dict[str, Any] = {
                "type": event_type,
                "timestamp": at.isoformat(),
                "data": data,
            }
            delivery = WebhookDelivery(
                new_id(), org_id, endpoint.id, event_type, event.issue_id or None, payload,
                QUEUED, 0, at, at,
            )  # fmt: skip
            await uow.webhook_deliveries.add(delivery)
            await uow.jobs.enqueue(
                WEBHOOK_JOB,
                {"delivery_id": delivery.id},
                org_id=org_id,
                now=now,
                dedupe_key=f"{WEBHOOK_JOB}:{delivery.id}",
            )


def _events(chosen: Sequence[str]) -> tuple[str, ...]:
    unknown = [e for e in chosen if e not in SUBSCRIBABLE]
    if unknown or not chosen:
        raise InvalidInput(f"subscribe to one or more of {', '.join(SUBSCRIBABLE)}", field="events")
    return tuple(dict.fromkeys(chosen))


async def subscribe(
    principal: Principal,
    uow: UnitOfWork,
    *,
    url: str,
    events: Sequence[str],
    allow_private: bool = False,
) -> tuple[WebhookEndpoint, str]:
    """A new subscription and its signing secret (shown this once)."""
    admin = require_admin(principal)
    if len(await uow.webhooks.subscriptions(admin.org_id)) >= SUBSCRIPTIONS_MAX:
        raise Conflict(f"an organization has at most {SUBSCRIPTIONS_MAX} webhook subscriptions")
    secret = new_secret()
    checked = check_url(url, allow_private=allow_private)
    endpoint = WebhookEndpoint(
        new_id(), admin.org_id, checked, (secret,), events=_events(events), created_at=utcnow()
    )
    await uow.webhooks.add(endpoint)
    detail = {"url": endpoint.url, "events": list(endpoint.events)}
    await audit(uow, admin.org_id, admin, "webhook.subscribe", ("webhook", endpoint.id), detail)
    return endpoint, secret


async def subscriptions(principal: Principal, uow: UnitOfWork) -> list[WebhookEndpoint]:
    admin = require_admin(principal)
    return await uow.webhooks.subscriptions(admin.org_id)


async def change_subscription(
    principal: Principal,
    uow: UnitOfWork,
    endpoint_id: str,
    *,
    url: str | None,
    events: Sequence[str] | None,
    active: bool | None,
    allow_private: bool = False,
) -> WebhookEndpoint:
    admin = require_admin(principal)
    endpoint = await uow.webhooks.get(admin.org_id, endpoint_id)
    if endpoint is None or endpoint.bot_id is not None:
        raise NotFound("no such webhook subscription")
    changed = dataclasses.replace(
        endpoint,
        url=check_url(url, allow_private=allow_private) if url is not None else endpoint.url,
        events=_events(events) if events is not None else endpoint.events,
        active=endpoint.active if active is None else active,
    )
    await uow.webhooks.save(changed)
    await audit(uow, admin.org_id, admin, "webhook.change", ("webhook", endpoint.id))
    return changed


async def delivery_log(
    principal: Principal, uow: UnitOfWork, endpoint_id: str | None, *, limit: int
) -> list[WebhookDelivery]:
    admin = require_admin(principal)
    return await uow.webhook_deliveries.log(admin.org_id, endpoint_id, limit)


async def send_again(principal: Principal, uow: UnitOfWork, delivery_id: str) -> WebhookDelivery:
    """Queue a delivery that ended (failed, or delivered) once more, under the same
    id, so a receiver that already has it recognises it."""
    admin = require_admin(principal)
    delivery = await uow.webhook_deliveries.get(admin.org_id, delivery_id)
    if delivery is None:
        raise NotFound("no such delivery")
    if delivery.state == QUEUED:
        raise Conflict("this delivery is still queued", state=delivery.state)
    now = utcnow()
    await uow.webhook_deliveries.requeue(admin.org_id, delivery.id, now)
    await uow.webhooks.set_breaker(admin.org_id, delivery.endpoint_id, Breaker())  # try now
    await uow.jobs.enqueue(
        WEBHOOK_JOB,
        {"delivery_id": delivery.id},
        org_id=admin.org_id,
        now=now,
        dedupe_key=f"{WEBHOOK_JOB}:{delivery.id}:{new_id()}",
    )
    detail = {"was": delivery.state}
    await audit(
        uow, admin.org_id, admin, "webhook.send_again", ("webhook_delivery", delivery.id), detail
    )
    return dataclasses.replace(delivery, state=QUEUED, updated_at=now)


__all__ = ["FAILED", "plan_webhooks", "send_again", "subscribe"]
