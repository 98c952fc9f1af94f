"""The delivery job: hand one planned delivery to its channel's provider.

The provider is called outside any transaction. What it answered is recorded
at once, in a transaction of its own, before the job is completed: if the
process dies or the completion fails after the provider took the message, the
retried job finds the provider's id and sends nothing again. The window left
(a crash between the provider's answer and that record) is closed where the
provider recognises a repeated delivery id (idempotency keys, a fixed
Message-ID). A temporary refusal is retried with the worker's backoff; a
permanent one, or the last attempt, marks the delivery failed with the reason."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from caseroom.channels.base import Accepted, DeliveryError, Outbound, Outgoing
from caseroom.domain.delivery import DeliveryState
from caseroom.domain.model import Channel
from caseroom.domain.records import Job
from caseroom.jobs.worker import Complete, Handler, RetryLater
from caseroom.services import deliveries, mail
from caseroom.services.common import utcnow
from caseroom.services.file_links import FileLinks
from caseroom.storage.uow import Database, UnitOfWork


async def _nothing(uow: UnitOfWork) -> None:
    return None


def delivery_handler(
    db: Database,
    outbounds: Mapping[Channel, Outbound],
    *,
    max_attempts: int,
    links: FileLinks | None = None,
) -> Handler:
    async def handle(job: Job) -> Complete:
        org_id, delivery_id = job.org_id, str(job.payload["delivery_id"])

        async def load(uow: UnitOfWork) -> Outgoing | None:
            found = await deliveries.pending_delivery(uow, org_id, delivery_id)
            if found is None:
                return None
            delivery, message, issue, config, secrets = found
            now = utcnow()
            extra: dict[str, Any] = {}
            if delivery.channel is Channel.EMAIL:
                extra = await mail.outgoing_details(uow, delivery, message, issue)
            outgoing = Outgoing(
                delivery_id=delivery.id,
                org_id=org_id,
                channel=delivery.channel,
                recipient=delivery.recipient,
                body=message.body,
                author_name=message.author_name,
                issue_reference=issue.reference,
                subject=issue.subject,
                file_links=tuple(links.url_for(a, now) for a in message.attachments)
                if links
                else (),
                config=config,
                secrets=secrets,
            )
            return dataclasses.replace(outgoing, **extra) if extra else outgoing

        outgoing = await db.read(load)
        if outgoing is None:
            return _nothing  # sent already, or nothing left to send
        outbound = outbounds.get(outgoing.channel)
        if outbound is None:
            return _failed(delivery_id, org_id, f"no {outgoing.channel.value} provider is set up")
        try:
            accepted = await outbound.send(outgoing)
        except DeliveryError as error:
            if error.permanent or job.attempts >= max_attempts:
                return _failed(delivery_id, org_id, error.reason, error.code)
            await db.run(_deferred(delivery_id, org_id, error.reason, error.code))
            raise RetryLater(error.reason) from error
        await db.run(_record(org_id, delivery_id, accepted))
        return _nothing

    return handle


def _record(org_id: str, delivery_id: str, accepted: Accepted) -> Complete:
    async def work(uow: UnitOfWork) -> None:
        delivery = await deliveries.report(
            uow, org_id, delivery_id, accepted.state, provider_id=accepted.provider_id
        )
        if delivery is not None and delivery.channel is Channel.EMAIL:
            await mail.record_sent(uow, delivery, accepted.provider_id)

    return work


def _deferred(delivery_id: str, org_id: str, reason: str, code: str | None) -> Complete:
    async def work(uow: UnitOfWork) -> None:
        await deliveries.defer(uow, org_id, delivery_id, reason, code)

    return work


def _failed(delivery_id: str, org_id: str, reason: str, code: str | None = None) -> Complete:
    async def work(uow: UnitOfWork) -> None:
        await deliveries.report(
            uow, org_id, delivery_id, DeliveryState.FAILED, error_code=code, error=reason
        )

    return work
