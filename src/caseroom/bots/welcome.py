"""The built-in welcome bot's turn, run as the `bot.welcome` job after a
Customer's message in web chat: it reads the public room as the bot may, asks
the pure rules in `domain/welcome.py` what to do, answers as itself through the
one send path (idempotent by the Customer's message), routes the Issue to the
chosen topic's team, and hands off when it cannot help. A claim in the meantime
mutes it: the send path refuses a welcome bot whose turn has ended."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from caseroom.domain import events
from caseroom.domain.errors import DomainError
from caseroom.domain.hours import back_at_text, is_open
from caseroom.domain.model import (
    AuthorKind,
    Bot,
    BotGrant,
    BotPrincipal,
    Channel,
    Issue,
    MessageKind,
    Room,
)
from caseroom.domain.records import Job
from caseroom.domain.welcome import Found, Situation, Turn, chosen_topic, next_turn
from caseroom.jobs.worker import Complete, Handler
from caseroom.services.bot_calls import hand_off
from caseroom.services.common import utcnow
from caseroom.services.knowledge import search_knowledge
from caseroom.services.messages import NewMessage
from caseroom.services.sending import Sender
from caseroom.services.welcome_bot import welcome_setup
from caseroom.storage.uow import UnitOfWork

Clock = Callable[[], datetime]


@dataclass(frozen=True, slots=True)
class _Load:
    bot: Bot
    issue: Issue
    turn: Turn


async def _nothing(uow: UnitOfWork) -> None:
    return None


def welcome_handler(sender: Sender, public_url: str, clock: Clock | None = None) -> Handler:
    now_of = clock or utcnow

    async def handle(job: Job) -> Complete:
        org_id = job.org_id
        issue_id, message_id = str(job.payload["issue_id"]), str(job.payload["message_id"])

        async def load(uow: UnitOfWork) -> _Load | None:
            return await _decide(uow, org_id, issue_id, message_id, public_url, now_of())

        found = await sender.db.read(load)
        if found is None:
            return _nothing
        principal = BotPrincipal(org_id, found.bot, BotGrant.welcome(issue_id))
        for index, text in enumerate(found.turn.replies):
            new = NewMessage(
                room=Room.PUBLIC,
                body=text,
                channel=Channel.BOT,
                idempotency_key=f"welcome:{message_id}:{index}",
            )
            try:
                await sender.post(principal, issue_id, new)
            except DomainError:
                return _nothing  # an agent took over meanwhile: the bot is muted
        team_id, reason = found.turn.team_id, found.turn.hand_off

        async def after(uow: UnitOfWork) -> None:
            issue = await uow.issues.get(org_id, issue_id, for_update=True)
            if issue is None:
                return
            if team_id and issue.team_id != team_id:
                issue = dataclasses.replace(issue, team_id=team_id)
                await uow.issues.save(issue, utcnow())
                uow.emit(events.issue_changed("issue.updated", issue, ["team_id"]))
            if reason:
                await hand_off(uow, issue, found.bot, reason)

        return after

    return handle


async def _decide(
    uow: UnitOfWork, org_id: str, issue_id: str, message_id: str, public_url: str, now: datetime
) -> _Load | None:
    setup = await welcome_setup(uow, org_id)
    issue = await uow.issues.get(org_id, issue_id)
    message = await uow.messages.get(org_id, message_id)
    session = await uow.bots.session(org_id, issue_id)
    bot = setup.bot
    if bot is None or issue is None or message is None or session != (bot.id, "active"):
        return None
    customer = await uow.customers.get(org_id, issue.customer_id)
    org = await uow.organizations.get(org_id)
    if customer is None or org is None:
        return None
    kinds = frozenset({MessageKind.MESSAGE})
    public = await uow.messages.page(org_id, issue_id, Room.PUBLIC, kinds, limit=200)
    spoke = any(m.author_kind is AuthorKind.BOT and m.author_id == bot.id for m in public.messages)
    topic = chosen_topic(message.body, setup.topics)
    query = topic.label if topic else message.body
    hits = await search_knowledge(uow, org_id, query, limit=1)
    articles = [
        Found(h.article.title, f"{public_url}/kb/{org.slug}/{h.article.id}", h.excerpt)
        for h in hits
    ]
    team_id = (topic.team_id if topic else None) or issue.team_id
    team = await uow.teams.get(org_id, team_id) if team_id else None
    hours, zone = (team.hours, team.timezone) if team else (None, "UTC")
    situation = Situation(
        bot_name=bot.name,
        greeting=setup.greeting,
        topics=setup.topics,
        text=message.body,
        first_turn=not spoke,
        needs_contact=not (customer.email or customer.phone),
        articles=articles,
        team_open=is_open(hours, zone, now),
        team_back_at=back_at_text(hours, zone, now) if hours else "soon",
    )
    return _Load(bot, issue, next_turn(situation))
