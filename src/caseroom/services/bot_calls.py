"""Calling bots, the outbox step: `#nickname` in the private room calls an assist
bot; a Customer writing in web chat calls the organization's welcome bot until it
hands off. A call is a job written in the same transaction as the message that
made it (a built-in bot's job, or a signed webhook delivery to a custom bot), so
it happens once the message is durable and never for a rolled-back one.

Only what people write calls a bot: a bot's message never calls one (no loops).
A claim mutes the welcome bot for the Issue."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from caseroom.domain import events
from caseroom.domain.events import Event, customer_issue_payload, issue_payload
from caseroom.domain.handoff import handoff_note, wants_person
from caseroom.domain.ids import new_id
from caseroom.domain.mentions import BotCall, parse_bot_invocations
from caseroom.domain.model import (
    AgentPrincipal,
    AuthorKind,
    Bot,
    BotGrant,
    BotKind,
    BotPrincipal,
    Channel,
    Issue,
    IssueStatus,
    MessageKind,
    Principal,
    Room,
)
from caseroom.domain.visibility import visible_kinds
from caseroom.domain.webhooks import QUEUED, WebhookDelivery, WebhookEndpoint
from caseroom.services.bots import BUILT_IN
from caseroom.services.common import utcnow
from caseroom.services.llm_bot import TASKS as LLM_TASKS
from caseroom.services.llm_bot import model_bot
from caseroom.services.messages import NewMessage, append_message, post_system_event
from caseroom.storage.bots import ACTIVE
from caseroom.storage.uow import UnitOfWork

BOT_CALL_JOB = "bot.call"  # a built-in assist bot
WELCOME_JOB = "bot.welcome"  # the built-in welcome bot's turn
LLM_JOB = "bot.llm"  # the language-model assist bot (#draft, and #summary when it is on)
WEBHOOK_JOB = "webhook.deliver"  # a signed request to a custom bot or a subscription
CALLED, CUSTOMER_WROTE = "bot.called", "customer.wrote"


@dataclass(frozen=True, slots=True)
class BotPolicy:
    calls_per_minute: int = 30
    context_messages: int = 50


def bot_reactor(policy: BotPolicy) -> Any:
    async def plan_bot_calls(uow: UnitOfWork, staged: Sequence[Event]) -> None:
        welcoming: dict[str, bool] = {}  # org id -> has a welcome bot (this transaction)
        for event in staged:
            if event.type == "message.created":
                await _on_message(uow, policy, event, welcoming)
            elif event.type == "issue.updated" and _claimed(event):
                await mute_on_claim(uow, event.scope.org_id, event.issue_id)

    return plan_bot_calls


def _claimed(event: Event) -> bool:
    return "status" in event.payload["changes"] and event.payload["issue"]["status"] == "claimed"


async def _on_message(
    uow: UnitOfWork, policy: BotPolicy, event: Event, welcoming: dict[str, bool]
) -> None:
    message = event.payload["message"]
    author, kind = message["author"]["kind"], message["kind"]
    org_id = event.scope.org_id
    if event.room is Room.PRIVATE and author == "agent" and kind != MessageKind.EVENT.value:
        for call in parse_bot_invocations(message["body"]):
            await _call_assist(uow, policy, org_id, event.issue_id, message, call)
    elif event.room is Room.PUBLIC and author == "customer" and kind == MessageKind.MESSAGE.value:
        if org_id not in welcoming:
            welcoming[org_id] = await uow.bots.has_welcome_bot(org_id)
        if welcoming[org_id]:
            await _call_welcome(uow, policy, org_id, event.issue_id, message)


async def _call_assist(
    uow: UnitOfWork,
    policy: BotPolicy,
    org_id: str,
    issue_id: str,
    message: dict[str, Any],
    call: BotCall,
) -> None:
    now = utcnow()
    if call.nickname in LLM_TASKS and await model_bot(uow, org_id) is not None:
        payload = {
            "task": call.nickname,
            "issue_id": issue_id,
            "message_id": message["id"],
            "agent_id": message["author"]["id"],
        }
        dedupe = f"{LLM_JOB}:{call.nickname}:{message['id']}"
        await uow.jobs.enqueue(LLM_JOB, payload, org_id=org_id, now=now, dedupe_key=dedupe)
        return
    if call.nickname in BUILT_IN:
        payload = {
            "nickname": call.nickname,
            "issue_id": issue_id,
            "message_id": message["id"],
            "agent_id": message["author"]["id"],
            "arguments": call.arguments,
        }
        dedupe = f"{BOT_CALL_JOB}:{call.nickname}:{message['id']}"
        await uow.jobs.enqueue(BOT_CALL_JOB, payload, org_id=org_id, now=now, dedupe_key=dedupe)
        return
    bot = await uow.bots.by_nickname(org_id, call.nickname)
    agent = await uow.agents.get(org_id, message["author"]["id"])
    if bot is None or not bot.active or bot.kind is not BotKind.ASSIST or agent is None:
        return  # not a bot: `#word` stays plain text
    endpoint = await uow.webhooks.for_bot(org_id, bot.id)
    issue = await uow.issues.get(org_id, issue_id)
    if endpoint is None or issue is None:
        return
    viewer = AgentPrincipal(org_id, agent)  # the bot reads what the calling agent may
    await _plan_call(uow, policy, bot, endpoint, issue, viewer, CALLED, message, call.arguments)


async def _call_welcome(
    uow: UnitOfWork, policy: BotPolicy, org_id: str, issue_id: str, message: dict[str, Any]
) -> None:
    turn = await uow.bots.welcome_turn(org_id, issue_id)
    if turn is None or turn[1] not in (None, ACTIVE):
        return  # no welcome bot, or it handed off
    issue = await uow.issues.get(org_id, issue_id)
    bot = await uow.bots.get(org_id, turn[0])
    if issue is None or bot is None or issue.status is not IssueStatus.UNCLAIMED:
        return
    if turn[1] is None:  # the bot's first turn on this Issue
        if issue.source_channel is not Channel.CHAT:
            return
        await uow.bots.start_session(org_id, issue_id, bot.id, utcnow())
    if wants_person(message["body"]):
        await hand_off(uow, issue, bot, "the Customer asked for a person")
        return
    if not bot.active:
        await hand_off(uow, issue, bot, "the bot is switched off")
        return
    endpoint = await uow.webhooks.for_bot(org_id, bot.id)
    if endpoint is None:  # the built-in welcome bot
        await uow.jobs.enqueue(
            WELCOME_JOB,
            {"issue_id": issue_id, "message_id": message["id"], "bot_id": bot.id},
            org_id=org_id,
            now=utcnow(),
            dedupe_key=f"{WELCOME_JOB}:{message['id']}",
        )
        return
    viewer = BotPrincipal(org_id, bot, BotGrant.welcome(issue_id))
    await _plan_call(uow, policy, bot, endpoint, issue, viewer, CUSTOMER_WROTE, message, "")


async def _plan_call(
    uow: UnitOfWork,
    policy: BotPolicy,
    bot: Bot,
    endpoint: WebhookEndpoint,
    issue: Issue,
    viewer: Principal,
    event_type: str,
    message: dict[str, Any],
    arguments: str,
) -> None:
    """One signed delivery to the bot, carrying the conversation as `viewer` may
    read it; refused (and said so) beyond the bot's calls per minute."""
    now = utcnow()
    recent = await uow.webhook_deliveries.since(endpoint.id, now - timedelta(minutes=1))
    if recent >= policy.calls_per_minute:
        await say_unavailable(uow, issue, bot, "it was called too often; try again in a minute")
        return
    conversation = await _conversation(uow, issue, viewer, policy.context_messages)
    agent_view = isinstance(viewer, AgentPrincipal)
    issue_view = issue_payload(issue)
    payload: dict[str, Any] = {
        "type": event_type,
        "bot": {"id": bot.id, "nickname": bot.nickname, "kind": bot.kind.value},
        "issue": issue_view if agent_view else customer_issue_payload(issue_view),
        "trigger": message if agent_view else events.customer_message_payload(message),
        "arguments": arguments,
        "conversation": conversation,
    }
    delivery = WebhookDelivery(
        new_id(), issue.org_id, endpoint.id, event_type, issue.id, payload, QUEUED, 0, now, now
    )
    await uow.webhook_deliveries.add(delivery)
    await uow.jobs.enqueue(
        WEBHOOK_JOB,
        {"delivery_id": delivery.id},
        org_id=issue.org_id,
        now=now,
        dedupe_key=f"{WEBHOOK_JOB}:{delivery.id}",
    )


async def _conversation(
    uow: UnitOfWork, issue: Issue, viewer: Principal, limit: int
) -> list[dict[str, Any]]:
    """The latest messages of each room `viewer` may read, oldest first."""
    found = []
    for room in Room:
        kinds = visible_kinds(viewer, issue, room)
        if not kinds:
            continue
        page = await uow.messages.page(issue.org_id, issue.id, room, kinds, limit=limit)
        found += page.messages
    found.sort(key=lambda m: (m.created_at, m.room.value, m.seq))
    shown = [events.message_payload(m) for m in found[-limit:]]
    if isinstance(viewer, AgentPrincipal):
        return shown
    return [events.customer_message_payload(m) for m in shown]


async def say_unavailable(uow: UnitOfWork, issue: Issue, bot: Bot, why: str) -> None:
    locked = await uow.issues.get(issue.org_id, issue.id, for_update=True)
    if locked is not None:
        await post_system_event(
            uow, locked, Room.PRIVATE, f"#{bot.nickname} did not answer: {why}."
        )


async def hand_off(uow: UnitOfWork, issue: Issue, bot: Bot, reason: str) -> bool:
    """The welcome bot stops talking on this Issue: the Customer is told a person
    will answer, and the agents get a note of what was asked and answered."""
    if not await uow.bots.hand_off(issue.org_id, issue.id, utcnow()):
        return False
    locked = await uow.issues.get(issue.org_id, issue.id, for_update=True)
    if locked is None:
        return False
    public = await uow.messages.page(
        issue.org_id, issue.id, Room.PUBLIC, frozenset({MessageKind.MESSAGE}), limit=50
    )
    await post_system_event(
        uow, locked, Room.PUBLIC, "You are being connected with a person; they will answer here."
    )
    locked = await uow.issues.get(issue.org_id, issue.id, for_update=True) or locked
    # The note is the server's, written under the bot's name (its grant stays public).
    note = NewMessage(
        room=Room.PRIVATE, body=handoff_note(bot.name, reason, public.messages), channel=Channel.BOT
    )
    await append_message(
        uow,
        locked,
        note,
        author_kind=AuthorKind.BOT,
        author_id=bot.id,
        author_name=bot.name,
        sender=None,
        now=utcnow(),
    )
    return True


async def mute_on_claim(uow: UnitOfWork, org_id: str, issue_id: str) -> None:
    session = await uow.bots.session(org_id, issue_id)
    if session is None or session[1] != ACTIVE:
        return
    bot = await uow.bots.get(org_id, session[0])
    issue = await uow.issues.get(org_id, issue_id)
    if bot is not None and issue is not None:
        await hand_off(uow, issue, bot, "an agent claimed the Issue")
