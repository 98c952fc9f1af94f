"""What a webhook delivery's outcome does: the delivery log, the endpoint's circuit
breaker, and, for a bot call, the bot's answer posted as the bot (through the one
send path) or, when the bot failed, the Issue handed to a person."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from caseroom.domain.errors import InvalidInput
from caseroom.domain.ids import new_id
from caseroom.domain.model import Bot, BotGrant, BotKind, BotPrincipal, Room
from caseroom.domain.webhooks import DELIVERED, FAILED, QUEUED, WebhookDelivery, WebhookEndpoint
from caseroom.services.bot_calls import (
    CALLED,
    CUSTOMER_WROTE,
    WEBHOOK_JOB,
    hand_off,
    say_unavailable,
)
from caseroom.storage.uow import UnitOfWork

BOT_CALLS = (CALLED, CUSTOMER_WROTE)
REPLIES_MAX = 5


@dataclass(frozen=True, slots=True)
class Pending:
    delivery: WebhookDelivery
    endpoint: WebhookEndpoint
    bot: Bot | None


async def pending(uow: UnitOfWork, org_id: str, delivery_id: str) -> Pending | None:
    """What is left to send, or None when the delivery ended."""
    delivery = await uow.webhook_deliveries.get(org_id, delivery_id)
    if delivery is None or delivery.state != QUEUED:
        return None
    endpoint = await uow.webhooks.get(org_id, delivery.endpoint_id)
    if endpoint is None:
        return None
    bot = await uow.bots.get(org_id, endpoint.bot_id) if endpoint.bot_id else None
    return Pending(delivery, endpoint, bot)


def principal_for(bot: Bot, issue_id: str) -> BotPrincipal:
    grant = BotGrant.welcome(issue_id) if bot.kind is BotKind.WELCOME else BotGrant.assist(issue_id)
    return BotPrincipal(bot.org_id, bot, grant)


def reply_room(bot: Bot) -> Room:
    return Room.PUBLIC if bot.kind is BotKind.WELCOME else Room.PRIVATE


def read_answer(body: bytes) -> tuple[list[str], bool]:
    """(the replies, whether the bot hands off) from an answer body: empty for
    "I will answer later through the API", else JSON `{"body": "..."}` or
    `{"replies": ["...", ...], "hand_off": true}`. Anything else is malformed."""
    if not body.strip():
        return [], False
    try:
        data = json.loads(body)
    except ValueError:
        raise InvalidInput("the bot's answer is not JSON") from None
    if not isinstance(data, dict):
        raise InvalidInput("the bot's answer is not a JSON object")
    replies: Any = data.get("replies", [data["body"]] if "body" in data else [])
    if not isinstance(replies, list) or not all(isinstance(r, str) for r in replies):
        raise InvalidInput("the bot's `replies` must be a list of strings")
    hands_off = data.get("hand_off", False)
    if not isinstance(hands_off, bool):
        raise InvalidInput("the bot's `hand_off` must be true or false")
    return [r for r in replies if r.strip()][:REPLIES_MAX], hands_off


def recorded(
    found: Pending,
    *,
    ok: bool,
    status: int | None,
    error: str | None,
    final: bool,
    threshold: int,
    open_for: timedelta,
    now: datetime,
) -> Callable[[UnitOfWork], Awaitable[None]]:
    """The work that records one attempt: the log row, the breaker, and (for a
    bot call that finally failed) the hand-off or the agents' notice."""

    async def work(uow: UnitOfWork) -> None:
        endpoint, delivery = found.endpoint, found.delivery
        current = await uow.webhooks.get(endpoint.org_id, endpoint.id) or endpoint
        if ok:
            breaker = current.breaker.after_success()
        else:
            breaker = current.breaker.after_failure(now, threshold=threshold, open_for=open_for)
        await uow.webhooks.set_breaker(endpoint.org_id, endpoint.id, breaker)
        state = DELIVERED if ok else FAILED if final else QUEUED
        await uow.webhook_deliveries.record(
            delivery.org_id, delivery.id, state=state, now=now, status=status, error=error
        )
        if not ok and final:
            await gave_up(uow, found, error or "it failed")
        if state != QUEUED and endpoint.bot_id is None:
            await _release_next(uow, delivery, now)

    return work


async def _release_next(uow: UnitOfWork, delivery: WebhookDelivery, now: datetime) -> None:
    """The next delivery of the Issue to this endpoint was waiting for this one."""
    waiting = await uow.webhook_deliveries.next_queued(delivery)
    if waiting is not None:
        await uow.jobs.enqueue(
            WEBHOOK_JOB,
            {"delivery_id": waiting},
            org_id=delivery.org_id,
            now=now,
            dedupe_key=f"{WEBHOOK_JOB}:{waiting}:{new_id()}",
        )


async def bot_handed_off(uow: UnitOfWork, found: Pending) -> None:
    """A welcome bot answered that a person should take over."""
    bot, issue_id = found.bot, found.delivery.issue_id
    issue = await uow.issues.get(bot.org_id, issue_id) if bot and issue_id else None
    if bot is not None and issue is not None and bot.kind is BotKind.WELCOME:
        await hand_off(uow, issue, bot, "the bot could not help")


async def gave_up(uow: UnitOfWork, found: Pending, why: str) -> None:
    """A bot call failed for good: a welcome bot's Customer goes to a person, an
    assist bot's caller is told."""
    bot, issue_id = found.bot, found.delivery.issue_id
    if bot is None or issue_id is None or found.delivery.event_type not in BOT_CALLS:
        return
    issue = await uow.issues.get(bot.org_id, issue_id)
    if issue is None:
        return
    if bot.kind is BotKind.WELCOME:
        await hand_off(uow, issue, bot, f"the bot did not answer ({why})")
    else:
        await say_unavailable(uow, issue, bot, why)
