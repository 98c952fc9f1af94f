"""The built-in welcome bot of an organization's web chat: set up by an admin
(name, greeting, topic buttons each routed to a team), switched on or off."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass

from caseroom.domain.errors import InvalidInput
from caseroom.domain.ids import new_id
from caseroom.domain.model import Bot, BotKind, Principal
from caseroom.domain.text import clean_text
from caseroom.domain.welcome import TOPICS_MAX, Topic, check_topic_label
from caseroom.services.audit import audit
from caseroom.services.common import require_admin, utcnow
from caseroom.storage.uow import UnitOfWork

NICKNAME = "welcome"
DEFAULT_GREETING = "Hi! I am the virtual assistant. I can help right away, or find you a person."


@dataclass(frozen=True, slots=True)
class WelcomeSetup:
    bot: Bot | None
    greeting: str
    topics: tuple[Topic, ...]


async def welcome_setup(uow: UnitOfWork, org_id: str) -> WelcomeSetup:
    found = await uow.bots.welcome_settings(org_id)
    if found is None:
        return WelcomeSetup(None, DEFAULT_GREETING, ())
    bot_id, greeting, topics = found
    bot = await uow.bots.get(org_id, bot_id)
    chosen = tuple(Topic(str(t["label"]), t.get("team_id")) for t in topics)
    return WelcomeSetup(bot, greeting, chosen)


async def get_welcome_bot(principal: Principal, uow: UnitOfWork) -> WelcomeSetup:
    admin = require_admin(principal)
    return await welcome_setup(uow, admin.org_id)


async def set_up_welcome_bot(
    principal: Principal,
    uow: UnitOfWork,
    *,
    active: bool,
    name: str,
    greeting: str,
    topics: Sequence[Topic],
) -> WelcomeSetup:
    admin = require_admin(principal)
    org_id = admin.org_id
    if len(topics) > TOPICS_MAX:
        raise InvalidInput(f"at most {TOPICS_MAX} topics", field="topics")
    checked = []
    for topic in topics:
        if topic.team_id is not None and await uow.teams.get(org_id, topic.team_id) is None:
            raise InvalidInput(
                "a topic names a team the organization does not have", field="topics"
            )
        checked.append(Topic(check_topic_label(topic.label), topic.team_id))
    name = clean_text(name, field="name", max_chars=200, multiline=False)
    greeting = clean_text(greeting, field="greeting", max_chars=1000)
    now = utcnow()
    current = await welcome_setup(uow, org_id)
    bot = current.bot
    if bot is None:
        if await uow.bots.by_nickname(org_id, NICKNAME) is not None:
            raise InvalidInput(f"a custom bot already uses the nickname #{NICKNAME}", field="name")
        bot = Bot(new_id(), org_id, NICKNAME, name, BotKind.WELCOME, active)
        await uow.bots.add(bot, now)
    else:
        bot = dataclasses.replace(bot, name=name, active=active)
        await uow.bots.save(bot)
    stored = [{"label": t.label, "team_id": t.team_id} for t in checked]
    await uow.bots.save_welcome_settings(org_id, bot.id, greeting, stored, now)
    detail = {"active": active, "topics": [t.label for t in checked]}
    await audit(uow, org_id, admin, "welcome_bot.set_up", ("bot", bot.id), detail)
    return WelcomeSetup(bot, greeting, tuple(checked))
