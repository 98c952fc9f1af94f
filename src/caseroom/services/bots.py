"""Registering an organization's custom bots: a nickname, a kind (assist or
welcome), the URL its calls are signed and posted to, and the signing secrets
(two at once while one is rotated)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from caseroom.domain.errors import Conflict, InvalidInput, NotFound
from caseroom.domain.ids import new_id
from caseroom.domain.mentions import check_nickname
from caseroom.domain.model import Bot, BotKind, Principal
from caseroom.domain.text import clean_text
from caseroom.domain.webhooks import WebhookEndpoint, check_secret, check_url, new_secret
from caseroom.services.audit import audit
from caseroom.services.common import require_admin, require_agent, utcnow
from caseroom.storage.uow import UnitOfWork

# The built-in Agent Assist bots: nickname -> display name. Custom bots may not
# take these nicknames.
BUILT_IN = {
    "summary": "Summary bot",
    "history": "History bot",
    "kb": "Knowledge bot",
    "canned": "Canned responses bot",
}
BUILT_IN_HELP = {
    "summary": "the request, what was tried, what is open",
    "history": "the Customer's earlier Issues",
    "kb": "knowledge articles matching your words",
    "canned": "canned responses matching your words, filled in",
}


def built_in_bot(org_id: str, nickname: str) -> Bot:
    return Bot(f"builtin-{nickname}", org_id, nickname, BUILT_IN[nickname], BotKind.ASSIST)


@dataclass(frozen=True, slots=True)
class RegisteredBot:
    bot: Bot
    endpoint: WebhookEndpoint | None
    secret: str | None = None  # a secret the server made, shown this once


async def register_bot(
    principal: Principal,
    uow: UnitOfWork,
    *,
    nickname: str,
    name: str,
    kind: BotKind,
    url: str,
    secret: str | None,
    allow_private: bool = False,
) -> RegisteredBot:
    admin = require_admin(principal)
    nickname = check_nickname(nickname)
    if nickname in BUILT_IN or nickname in ("welcome", "draft"):
        raise Conflict(f"#{nickname} is a built-in bot", field="nickname")
    if kind not in (BotKind.ASSIST, BotKind.WELCOME):
        raise InvalidInput("a bot is an assist or a welcome bot", field="kind")
    if await uow.bots.by_nickname(admin.org_id, nickname) is not None:
        raise Conflict(f"the organization already has a bot called #{nickname}", field="nickname")
    made = None if secret else new_secret()
    chosen = check_secret(secret) if secret else made
    assert chosen is not None
    now = utcnow()
    bot = Bot(new_id(), admin.org_id, nickname, clean_text(name, field="name", max_chars=200), kind)
    await uow.bots.add(bot, now)
    endpoint = WebhookEndpoint(
        new_id(),
        admin.org_id,
        check_url(url, allow_private=allow_private),
        (chosen,),
        bot_id=bot.id,
        created_at=now,
    )
    await uow.webhooks.add(endpoint)
    detail = {"nickname": nickname, "kind": kind.value, "url": endpoint.url}
    await audit(uow, admin.org_id, admin, "bot.register", ("bot", bot.id), detail)
    return RegisteredBot(bot, endpoint, made)


async def list_bots(principal: Principal, uow: UnitOfWork) -> list[RegisteredBot]:
    admin = require_admin(principal)
    found = []
    for bot in await uow.bots.list(admin.org_id):
        found.append(RegisteredBot(bot, await uow.webhooks.for_bot(admin.org_id, bot.id)))
    return found


async def callable_bots(principal: Principal, uow: UnitOfWork) -> list[tuple[Bot, str]]:
    """What `#` offers an agent in the private room: the built-in assist bots, then
    the organization's active assist bots, with a line on what each does."""
    agent = require_agent(principal)
    offered = [(built_in_bot(agent.org_id, n), BUILT_IN_HELP[n]) for n in BUILT_IN]
    for bot in await uow.bots.list(agent.org_id):
        if bot.active and bot.kind is BotKind.ASSIST:
            built_in = bot.nickname == "draft"  # the language-model bot
            offered.append((bot, "a reply proposed by the model" if built_in else "a custom bot"))
    return offered


async def change_bot(
    principal: Principal,
    uow: UnitOfWork,
    bot_id: str,
    *,
    name: str | None = None,
    url: str | None = None,
    active: bool | None = None,
    allow_private: bool = False,
) -> RegisteredBot:
    admin = require_admin(principal)
    bot, endpoint = await _registered(uow, admin.org_id, bot_id)
    if name is not None:
        bot = dataclasses.replace(bot, name=clean_text(name, field="name", max_chars=200))
    if active is not None:
        bot = dataclasses.replace(bot, active=active)
        endpoint = dataclasses.replace(endpoint, active=active)
    if url is not None:
        endpoint = dataclasses.replace(endpoint, url=check_url(url, allow_private=allow_private))
    await uow.bots.save(bot)
    await uow.webhooks.save(endpoint)
    changed = {"name": name, "url": url, "active": active}
    detail = {k: v for k, v in changed.items() if v is not None}
    await audit(uow, admin.org_id, admin, "bot.change", ("bot", bot.id), detail)
    return RegisteredBot(bot, endpoint)


async def rotate_bot_secret(
    principal: Principal, uow: UnitOfWork, bot_id: str, *, keep_previous: bool
) -> RegisteredBot:
    """A new signing secret signs from now on; with `keep_previous`, the one before
    it signs too (both signatures in one header) until the next rotation."""
    admin = require_admin(principal)
    bot, endpoint = await _registered(uow, admin.org_id, bot_id)
    secret = new_secret()
    kept = endpoint.secrets[:1] if keep_previous else ()
    await uow.webhooks.save(dataclasses.replace(endpoint, secrets=(secret, *kept)))
    detail = {"keep_previous": keep_previous}
    await audit(uow, admin.org_id, admin, "bot.rotate_secret", ("bot", bot.id), detail)
    return RegisteredBot(bot, endpoint, secret)


async def _registered(uow: UnitOfWork, org_id: str, bot_id: str) -> tuple[Bot, WebhookEndpoint]:
    bot = await uow.bots.get(org_id, bot_id)
    endpoint = await uow.webhooks.for_bot(org_id, bot_id) if bot else None
    if bot is None or endpoint is None:
        raise NotFound("no such bot")
    return bot, endpoint
