"""Messages that leave through a channel: the outbox step that plans one
delivery per (message, channel, recipient), what the delivery job hands to the
provider, and the reports that move a delivery along."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

from caseroom.domain import events
from caseroom.domain.channels import OUTBOUND, reply_address
from caseroom.domain.delivery import PROBLEMS, Delivery, DeliveryState, advances
from caseroom.domain.errors import Conflict, InvalidInput, NotFound
from caseroom.domain.events import Event
from caseroom.domain.ids import new_id
from caseroom.domain.model import (
    AuthorKind,
    Channel,
    Issue,
    Message,
    MessageKind,
    Principal,
    Room,
)
from caseroom.domain.visibility import can_see_room
from caseroom.services.channels import issue_options
from caseroom.services.common import require_agent, utcnow
from caseroom.storage.uow import UnitOfWork

DELIVER_JOB = "deliver"
_SENDERS = frozenset({AuthorKind.AGENT.value, AuthorKind.BOT.value})


async def check_reply_channel(uow: UnitOfWork, issue: Issue, new_channel: Channel) -> None:
    """A message for a channel that cannot carry it to this Customer is refused
    before anything is stored, with the reason the composer shows."""
    if new_channel not in OUTBOUND:
        return
    for option in await issue_options(uow, issue):
        if option.channel is new_channel and not option.enabled:
            raise InvalidInput(
                f"{new_channel.value} is unavailable for this Issue: {option.reason}",
                field="channel",
            )


async def plan_deliveries(uow: UnitOfWork, staged: Sequence[Event]) -> None:
    """The outbox step for messages: each agent's or bot's public message on an
    outbound channel gets one delivery record and one job, in the transaction
    that stored it. A retried send stores nothing and stages nothing, so it plans
    nothing; the delivery's own key keeps a replanned one single."""
    for event in staged:
        if event.type != "message.created":
            continue
        message = event.payload["message"]
        channel = Channel(message["channel"])
        if (
            channel not in OUTBOUND
            or message["kind"] != MessageKind.MESSAGE.value
            or message["author"]["kind"] not in _SENDERS
        ):
            continue
        if event.room is Room.PUBLIC:
            await _plan_one(uow, event.scope.org_id, event.issue_id, message["id"], channel)
        elif channel is Channel.EMAIL:  # a private-room mail to colleagues, collaborators
            await _plan_private_email(uow, event.scope.org_id, event.issue_id, message["id"])


async def _plan_one(
    uow: UnitOfWork, org_id: str, issue_id: str, message_id: str, channel: Channel
) -> None:
    issue = await uow.issues.get(org_id, issue_id)
    customer = await uow.customers.get(org_id, issue.customer_id) if issue else None
    if issue is None or customer is None:
        return
    recipient = reply_address(issue, customer, channel)
    if recipient is None:  # checked before storing; the Customer changed meanwhile
        return
    await plan_delivery(uow, issue, message_id, channel, recipient)


async def _plan_private_email(uow: UnitOfWork, org_id: str, issue_id: str, message_id: str) -> None:
    """One mail to all of a private-room email's To and Cc: its delivery is
    addressed to the first To (the others ride along in the same mail)."""
    issue = await uow.issues.get(org_id, issue_id)
    details = await uow.message_emails.get(org_id, message_id)
    if issue is None or details is None or not details.to:
        return
    await plan_delivery(uow, issue, message_id, Channel.EMAIL, details.to[0])


async def plan_delivery(
    uow: UnitOfWork, issue: Issue, message_id: str, channel: Channel, recipient: str
) -> None:
    org_id, issue_id = issue.org_id, issue.id
    now = utcnow()
    delivery = Delivery(
        id=new_id(),
        org_id=org_id,
        issue_id=issue_id,
        message_id=message_id,
        channel=channel,
        recipient=recipient,
        state=DeliveryState.QUEUED,
        created_at=now,
        updated_at=now,
    )
    if await uow.deliveries.add(delivery):
        await uow.jobs.enqueue(
            DELIVER_JOB,
            {"delivery_id": delivery.id},
            org_id=org_id,
            now=now,
            dedupe_key=f"{DELIVER_JOB}:{delivery.id}",
        )
        uow.emit(events.delivery_updated(issue, delivery))


async def pending_delivery(
    uow: UnitOfWork, org_id: str, delivery_id: str
) -> tuple[Delivery, Message, Issue, dict[str, Any], dict[str, str]] | None:
    """What a delivery job needs to send, or None when there is nothing left to
    send: the provider already took it (its id is recorded) or it ended."""
    delivery = await uow.deliveries.get(org_id, delivery_id)
    if delivery is None or delivery.provider_id or delivery.state is not DeliveryState.QUEUED:
        return None
    message = await uow.messages.get(org_id, delivery.message_id)
    issue = await uow.issues.get(org_id, delivery.issue_id)
    if message is None or issue is None:
        return None
    setup = await uow.channels.get(org_id, delivery.channel)
    config = setup.config if setup else {}
    secrets = await uow.channels.secrets(org_id, delivery.channel)
    return delivery, message, issue, config, secrets


async def report(
    uow: UnitOfWork,
    org_id: str,
    delivery_id: str,
    state: DeliveryState,
    *,
    provider_id: str | None = None,
    error_code: str | None = None,
    error: str | None = None,
) -> Delivery | None:
    """Move a delivery to `state` if that is forward (see `advances`); a provider
    id, once known, is kept. Announces the change to agents."""
    delivery = await uow.deliveries.get(org_id, delivery_id, for_update=True)
    if delivery is None:
        return None
    moved = advances(delivery.state, state)
    if not moved and not (provider_id and not delivery.provider_id):
        return delivery
    changed = dataclasses.replace(
        delivery,
        state=state if moved else delivery.state,
        provider_id=delivery.provider_id or provider_id,
        # A delivery that went out drops the reason it was deferred or refused before.
        error_code=error_code if moved and error_code else None if moved else delivery.error_code,
        error=error if moved and error else None if moved else delivery.error,
        updated_at=utcnow(),
    )
    await uow.deliveries.save(changed)
    issue = await uow.issues.get(org_id, delivery.issue_id)
    if issue is not None:
        uow.emit(events.delivery_updated(issue, changed))
    return changed


async def defer(
    uow: UnitOfWork, org_id: str, delivery_id: str, reason: str, code: str | None
) -> None:
    """The provider refused for now and the job tries again later: the delivery
    stays queued, with the reason, so agents see it is deferred and why."""
    delivery = await uow.deliveries.get(org_id, delivery_id, for_update=True)
    if delivery is None or delivery.state is not DeliveryState.QUEUED:
        return
    changed = dataclasses.replace(delivery, error_code=code, error=reason, updated_at=utcnow())
    await uow.deliveries.save(changed)
    issue = await uow.issues.get(org_id, delivery.issue_id)
    if issue is not None:
        uow.emit(events.delivery_updated(issue, changed))


async def report_by_provider_id(
    uow: UnitOfWork,
    org_id: str,
    channel: Channel,
    provider_id: str,
    state: DeliveryState,
    *,
    error_code: str | None = None,
    error: str | None = None,
) -> Delivery | None:
    """A provider's status report (a callback, a bounce) for the message it named."""
    found = await uow.deliveries.by_provider_id(org_id, channel, provider_id)
    if found is None:
        return None
    return await report(uow, org_id, found.id, state, error_code=error_code, error=error)


async def retry_delivery(principal: Principal, uow: UnitOfWork, delivery_id: str) -> Delivery:
    """An agent sends a failed or bounced delivery again: it is queued afresh under
    a new job (a refusal is never retried on its own)."""
    require_agent(principal)
    delivery = await uow.deliveries.get(principal.org_id, delivery_id, for_update=True)
    issue = await uow.issues.get(principal.org_id, delivery.issue_id) if delivery else None
    if delivery is None or issue is None or not can_see_room(principal, issue, Room.PRIVATE):
        raise NotFound("no such delivery")
    if delivery.state not in PROBLEMS:
        raise Conflict(
            f"only a failed or bounced delivery can be sent again; this one is {delivery.state}",
            state=delivery.state.value,
        )
    await check_reply_channel(uow, issue, delivery.channel)
    now = utcnow()
    queued = dataclasses.replace(
        delivery, state=DeliveryState.QUEUED, provider_id=None, updated_at=now
    )
    await uow.deliveries.save(queued)
    await uow.jobs.enqueue(
        DELIVER_JOB,
        {"delivery_id": delivery.id},
        org_id=delivery.org_id,
        now=now,
        dedupe_key=f"{DELIVER_JOB}:{delivery.id}:{new_id()}",
    )
    uow.emit(events.delivery_updated(issue, queued))
    return queued
