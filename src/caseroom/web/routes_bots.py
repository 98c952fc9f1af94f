"""Bots (the `#` list, admins' registrations), bot suggestions sent to the
Customer, and integrators' webhook subscriptions with their delivery log."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from caseroom.domain.hours import back_at_text, is_open
from caseroom.domain.model import BotKind
from caseroom.domain.welcome import Topic
from caseroom.services import bots, llm_bot, suggestions, webhooks, welcome_bot
from caseroom.services.common import require_agent, utcnow
from caseroom.storage.uow import UnitOfWork
from caseroom.web.deps import Context, CurrentPrincipal
from caseroom.web.schemas import MessageOut
from caseroom.web.schemas_bots import (
    BotChange,
    BotCreate,
    BotOut,
    CallableBotOut,
    DeliveryLogOut,
    ModelBotOut,
    ModelBotWrite,
    SecretRotation,
    SubscriptionChange,
    SubscriptionCreate,
    SubscriptionOut,
    SuggestionsOut,
    TeamHoursOut,
    WelcomeBotOut,
    WelcomeBotWrite,
)

router = APIRouter(prefix="/api/v1", tags=["bots and webhooks"])


@router.get("/bots", response_model=list[CallableBotOut])
async def callable_bots(principal: CurrentPrincipal, context: Context) -> list[CallableBotOut]:
    """The bots an agent may call with `#nickname` in a private room."""

    async def work(uow: UnitOfWork) -> list[CallableBotOut]:
        return [CallableBotOut.of(b, h) for b, h in await bots.callable_bots(principal, uow)]

    return await context.db.read(work)


@router.get("/admin/bots", response_model=list[BotOut])
async def list_bots(principal: CurrentPrincipal, context: Context) -> list[BotOut]:
    async def work(uow: UnitOfWork) -> list[BotOut]:
        return [BotOut.of(r) for r in await bots.list_bots(principal, uow)]

    return await context.db.read(work)


@router.post("/admin/bots", response_model=BotOut, status_code=status.HTTP_201_CREATED)
async def register_bot(body: BotCreate, principal: CurrentPrincipal, context: Context) -> BotOut:
    async def work(uow: UnitOfWork) -> BotOut:
        registered = await bots.register_bot(
            principal,
            uow,
            nickname=body.nickname,
            name=body.name,
            kind=BotKind(body.kind),
            url=body.url,
            secret=body.secret,
            allow_private=context.settings.webhook_allow_private_urls,
        )
        return BotOut.of(registered)

    return await context.db.run(work)


@router.patch("/admin/bots/{bot_id}", response_model=BotOut)
async def change_bot(
    bot_id: str, body: BotChange, principal: CurrentPrincipal, context: Context
) -> BotOut:
    async def work(uow: UnitOfWork) -> BotOut:
        changed = await bots.change_bot(
            principal,
            uow,
            bot_id,
            name=body.name,
            url=body.url,
            active=body.active,
            allow_private=context.settings.webhook_allow_private_urls,
        )
        return BotOut.of(changed)

    return await context.db.run(work)


@router.post("/admin/bots/{bot_id}/secret", response_model=BotOut)
async def rotate_secret(
    bot_id: str, body: SecretRotation, principal: CurrentPrincipal, context: Context
) -> BotOut:
    """A new signing secret (shown once); the previous one keeps signing if asked."""

    async def work(uow: UnitOfWork) -> BotOut:
        rotated = await bots.rotate_bot_secret(
            principal, uow, bot_id, keep_previous=body.keep_previous
        )
        return BotOut.of(rotated)

    return await context.db.run(work)


@router.get("/issues/{issue_id}/suggestions", response_model=SuggestionsOut)
async def list_suggestions(
    issue_id: str, principal: CurrentPrincipal, context: Context
) -> SuggestionsOut:
    """Which bot messages of the private room an agent may send to the Customer."""

    async def work(uow: UnitOfWork) -> SuggestionsOut:
        return SuggestionsOut(
            suggestions=await suggestions.suggestions_of(principal, uow, issue_id)
        )

    return await context.db.read(work)


@router.post(
    "/issues/{issue_id}/suggestions/{message_id}/send",
    response_model=MessageOut,
    status_code=status.HTTP_201_CREATED,
    responses={200: {"description": "sent already: the public message it became"}},
)
async def send_suggestion(
    issue_id: str,
    message_id: str,
    principal: CurrentPrincipal,
    context: Context,
    response: Response,
) -> MessageOut:
    """Post a bot's suggestion in the public room as the agent's own message (once)."""
    sent = await suggestions.send_suggestion(context.sender, principal, issue_id, message_id)
    if not sent.created:
        response.status_code = status.HTTP_200_OK
    return MessageOut.of(sent.message, principal)


@router.get("/admin/webhooks", response_model=list[SubscriptionOut])
async def list_subscriptions(
    principal: CurrentPrincipal, context: Context
) -> list[SubscriptionOut]:
    async def work(uow: UnitOfWork) -> list[SubscriptionOut]:
        return [SubscriptionOut.of(e) for e in await webhooks.subscriptions(principal, uow)]

    return await context.db.read(work)


@router.post("/admin/webhooks", response_model=SubscriptionOut, status_code=201)
async def subscribe(
    body: SubscriptionCreate, principal: CurrentPrincipal, context: Context
) -> SubscriptionOut:
    async def work(uow: UnitOfWork) -> SubscriptionOut:
        endpoint, secret = await webhooks.subscribe(
            principal,
            uow,
            url=body.url,
            events=body.events,
            allow_private=context.settings.webhook_allow_private_urls,
        )
        return SubscriptionOut.of(endpoint, secret)

    return await context.db.run(work)


@router.patch("/admin/webhooks/{endpoint_id}", response_model=SubscriptionOut)
async def change_subscription(
    endpoint_id: str, body: SubscriptionChange, principal: CurrentPrincipal, context: Context
) -> SubscriptionOut:
    async def work(uow: UnitOfWork) -> SubscriptionOut:
        changed = await webhooks.change_subscription(
            principal,
            uow,
            endpoint_id,
            url=body.url,
            events=body.events,
            active=body.active,
            allow_private=context.settings.webhook_allow_private_urls,
        )
        return SubscriptionOut.of(changed)

    return await context.db.run(work)


@router.get("/admin/webhook-deliveries", response_model=list[DeliveryLogOut])
async def delivery_log(
    principal: CurrentPrincipal,
    context: Context,
    endpoint_id: Annotated[str | None, Query(max_length=32)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> list[DeliveryLogOut]:
    """The latest signed deliveries (bots' calls and subscriptions'), newest first."""

    async def work(uow: UnitOfWork) -> list[DeliveryLogOut]:
        found = await webhooks.delivery_log(principal, uow, endpoint_id, limit=limit)
        return [DeliveryLogOut.of(d) for d in found]

    return await context.db.read(work)


@router.post("/admin/webhook-deliveries/{delivery_id}/send-again", response_model=DeliveryLogOut)
async def send_again(
    delivery_id: str, principal: CurrentPrincipal, context: Context
) -> DeliveryLogOut:
    async def work(uow: UnitOfWork) -> DeliveryLogOut:
        return DeliveryLogOut.of(await webhooks.send_again(principal, uow, delivery_id))

    return await context.db.run(work)


@router.get("/admin/welcome-bot", response_model=WelcomeBotOut)
async def get_welcome_bot(principal: CurrentPrincipal, context: Context) -> WelcomeBotOut:
    """The built-in welcome bot of the organization's web chat."""

    async def work(uow: UnitOfWork) -> WelcomeBotOut:
        return WelcomeBotOut.of(await welcome_bot.get_welcome_bot(principal, uow))

    return await context.db.read(work)


@router.put("/admin/welcome-bot", response_model=WelcomeBotOut)
async def set_up_welcome_bot(
    body: WelcomeBotWrite, principal: CurrentPrincipal, context: Context
) -> WelcomeBotOut:
    """Switch the welcome bot on or off; its greeting and topic buttons (each routed
    to a team)."""

    async def work(uow: UnitOfWork) -> WelcomeBotOut:
        setup = await welcome_bot.set_up_welcome_bot(
            principal,
            uow,
            active=body.active,
            name=body.name,
            greeting=body.greeting,
            topics=[Topic(t.label, t.team_id) for t in body.topics],
        )
        return WelcomeBotOut.of(setup)

    return await context.db.run(work)


@router.put("/admin/model-bot", response_model=ModelBotOut)
async def set_up_model_bot(
    body: ModelBotWrite, principal: CurrentPrincipal, context: Context
) -> ModelBotOut:
    """Point the language-model assist bot (off by default) at an OpenAI-compatible
    chat-completions endpoint: then `#draft` proposes a reply and `#summary` writes
    an abstractive summary."""

    async def work(uow: UnitOfWork) -> ModelBotOut:
        bot, endpoint = await llm_bot.set_up_model_bot(
            principal,
            uow,
            active=body.active,
            url=body.url,
            model=body.model,
            api_key=body.api_key,
            allow_private=context.settings.webhook_allow_private_urls,
        )
        return ModelBotOut(
            nickname=bot.nickname,
            active=bot.active,
            url=endpoint.url,
            model=endpoint.model,
            api_key_set=bool(endpoint.api_key),
        )

    return await context.db.run(work)


@router.get("/team-hours", response_model=list[TeamHoursOut], tags=["directory"])
async def team_hours(principal: CurrentPrincipal, context: Context) -> list[TeamHoursOut]:
    """Each team's hours of operation and whether it is working now (the inbox cards
    and the welcome bot say when a team is back)."""

    async def work(uow: UnitOfWork) -> list[TeamHoursOut]:
        agent = require_agent(principal)
        now = utcnow()
        found = []
        for team in await uow.teams.list(agent.org_id):
            working = is_open(team.hours, team.timezone, now)
            back = (
                None if working or not team.hours else back_at_text(team.hours, team.timezone, now)
            )
            found.append(
                TeamHoursOut(
                    id=team.id,
                    name=team.name,
                    hours=team.hours,
                    timezone=team.timezone,
                    open_now=working,
                    back_at=back,
                )
            )
        return found

    return await context.db.read(work)
