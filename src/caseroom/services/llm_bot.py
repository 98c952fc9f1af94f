"""The language-model assist bot, off by default: an admin points it at an
OpenAI-compatible chat-completions endpoint (Ollama, vLLM, a hosted service).
Then `#draft` proposes a reply and `#summary` writes an abstractive summary."""

from __future__ import annotations

import dataclasses

from caseroom.domain.ids import new_id
from caseroom.domain.model import Bot, BotKind, Principal
from caseroom.domain.text import clean_text
from caseroom.domain.webhooks import check_url
from caseroom.services.audit import audit
from caseroom.services.common import require_admin, utcnow
from caseroom.storage.llm import ModelEndpoint
from caseroom.storage.uow import UnitOfWork

NICKNAME = "draft"
TASKS = ("draft", "summary")


async def model_bot(uow: UnitOfWork, org_id: str) -> tuple[Bot, ModelEndpoint] | None:
    """The organization's model bot, if one is set up and switched on."""
    endpoint = await uow.llm.get(org_id)
    bot = await uow.bots.get(org_id, endpoint.bot_id) if endpoint else None
    if endpoint is None or bot is None or not bot.active:
        return None
    return bot, endpoint


async def set_up_model_bot(
    principal: Principal,
    uow: UnitOfWork,
    *,
    active: bool,
    url: str,
    model: str,
    api_key: str | None,
    allow_private: bool,
) -> tuple[Bot, ModelEndpoint]:
    admin = require_admin(principal)
    org_id = admin.org_id
    url = check_url(url, allow_private=allow_private).rstrip("/")
    model = clean_text(model, field="model", max_chars=200, multiline=False)
    now = utcnow()
    current = await uow.llm.get(org_id)
    bot = await uow.bots.get(org_id, current.bot_id) if current else None
    name = f"Draft bot ({model})"
    if bot is None:
        bot = Bot(new_id(), org_id, NICKNAME, name, BotKind.ASSIST, active)
        await uow.bots.add(bot, now)
    else:
        bot = dataclasses.replace(bot, name=name, active=active)
        await uow.bots.save(bot)
    key = api_key if api_key is not None else (current.api_key if current else None)
    endpoint = ModelEndpoint(org_id, bot.id, url, model, key or None)
    await uow.llm.save(endpoint, now)
    detail = {"active": active, "url": url, "model": model}
    await audit(uow, org_id, admin, "model_bot.set_up", ("bot", bot.id), detail)
    return bot, endpoint
