"""The webhook delivery job: one signed POST to a bot or an integrator's endpoint.

The request is made outside any transaction; its outcome is recorded in the
delivery log and the endpoint's circuit breaker. A failure is retried with the
worker's backoff up to `webhook_max_attempts`; an open breaker fails the
delivery at once, without a request. A bot call that fails for good hands its
Customer to a person (a welcome bot) or tells the calling agent (an assist bot).
A bot's answer is posted as the bot through the one send path, idempotent by
the delivery id, so a retried job never posts twice."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import httpx

from caseroom.bots.signed_post import Limits, PostFailed, post_signed
from caseroom.config import Settings
from caseroom.domain.errors import DomainError
from caseroom.domain.model import Channel
from caseroom.domain.records import Job
from caseroom.jobs.worker import Complete, Handler, RetryLater
from caseroom.services import auth
from caseroom.services.messages import NewMessage
from caseroom.services.sending import Sender
from caseroom.services.webhook_results import (
    BOT_CALLS,
    Pending,
    bot_handed_off,
    pending,
    principal_for,
    read_answer,
    recorded,
    reply_room,
)
from caseroom.storage.uow import Database, UnitOfWork


async def _nothing(uow: UnitOfWork) -> None:
    return None


def webhook_handler(db: Database, sender: Sender, settings: Settings) -> Handler:
    limits = Limits(
        settings.webhook_timeout_seconds,
        settings.webhook_max_response_bytes,
        settings.webhook_allow_private_urls,
    )
    open_for = timedelta(seconds=settings.webhook_breaker_open_seconds)

    async def handle(job: Job) -> Complete:
        org_id, delivery_id = job.org_id, str(job.payload["delivery_id"])
        found = await db.read(lambda uow: pending(uow, org_id, delivery_id))
        if found is None:
            return _nothing
        now = datetime.now(UTC)

        def outcome(ok: bool, status: int | None, error: str | None, final: bool) -> Complete:
            return recorded(
                found,
                ok=ok,
                status=status,
                error=error,
                final=final,
                threshold=settings.webhook_breaker_failures,
                open_for=open_for,
                now=now,
            )

        if found.bot is None and await db.read(
            lambda uow: uow.webhook_deliveries.earlier_queued(found.delivery)
        ):
            return _nothing  # released when the earlier one ends (deliveries keep order)
        if not found.endpoint.active:
            return outcome(False, None, "the endpoint is switched off", True)
        if found.endpoint.breaker.is_open(now):
            return outcome(False, None, "the endpoint's circuit breaker is open", True)
        body = await _body(db, found, settings)
        try:
            async with httpx.AsyncClient() as client:
                answer = await post_signed(
                    client,
                    found.endpoint.url,
                    delivery_id=found.delivery.id,
                    body=body,
                    secrets=found.endpoint.secrets,
                    at=now,
                    limits=limits,
                )
        except PostFailed as failed:
            final = failed.permanent or job.attempts >= settings.webhook_max_attempts
            await db.run(outcome(False, failed.status, failed.reason, final))
            if final:
                return _nothing
            raise RetryLater(failed.reason) from None
        if found.bot is not None and found.delivery.event_type in BOT_CALLS:
            try:
                replies, hands_off = read_answer(answer.body)
            except DomainError as malformed:
                return outcome(False, answer.status, malformed.detail, True)
            await _post_replies(sender, found, replies)
            if hands_off:
                await db.run(lambda uow: bot_handed_off(uow, found))
        return outcome(True, answer.status, None, True)

    return handle


async def _body(db: Database, found: Pending, settings: Settings) -> str:
    """The payload; a bot call also carries a token to answer later with."""
    payload = dict(found.delivery.payload)
    bot, issue_id = found.bot, found.delivery.issue_id
    if bot is not None and issue_id is not None and found.delivery.event_type in BOT_CALLS:
        ttl = timedelta(minutes=settings.bot_reply_token_minutes)

        async def mint(uow: UnitOfWork) -> str:
            assert bot is not None and issue_id is not None
            return (await auth.issue_bot_token(uow, bot, issue_id, ttl=ttl)).token

        room = reply_room(bot).value
        payload["reply"] = {
            "url": f"{settings.public_url}/api/v1/issues/{issue_id}/rooms/{room}/messages",
            "token": await db.run(mint),
            "expires_in": int(ttl.total_seconds()),
        }
    return json.dumps(payload, separators=(",", ":"), sort_keys=True)


async def _post_replies(sender: Sender, found: Pending, replies: list[str]) -> None:
    bot, issue_id = found.bot, found.delivery.issue_id
    assert bot is not None and issue_id is not None
    principal = principal_for(bot, issue_id)
    for index, text in enumerate(replies):
        new = NewMessage(
            room=reply_room(bot),
            body=text,
            channel=Channel.BOT,
            idempotency_key=f"webhook:{found.delivery.id}:{index}",
        )
        try:
            await sender.post(principal, issue_id, new)
        except DomainError:
            return  # muted meanwhile (a claim), or the reply is refused: nothing to post
