"""Request and response bodies of bots, webhooks and knowledge articles."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from caseroom.domain.knowledge import Article, Hit, render_markdown
from caseroom.domain.model import Bot
from caseroom.domain.webhooks import SUBSCRIBABLE, WebhookDelivery, WebhookEndpoint
from caseroom.services.bots import RegisteredBot
from caseroom.services.welcome_bot import WelcomeSetup
from caseroom.web.schemas import Strict


class BotCreate(Strict):
    nickname: str = Field(max_length=40, description="what agents type after #")
    name: str = Field(max_length=200)
    kind: Literal["assist", "welcome"]
    url: str = Field(max_length=2000, description="where its calls are signed and posted")
    secret: str | None = Field(
        default=None, max_length=200, description="whsec_… (default: one is made and shown once)"
    )


class BotChange(Strict):
    name: str | None = Field(default=None, max_length=200)
    url: str | None = Field(default=None, max_length=2000)
    active: bool | None = None


class SecretRotation(Strict):
    keep_previous: bool = Field(
        default=True, description="the old secret signs too, until the next rotation"
    )


class BreakerOut(BaseModel):
    failures: int
    open_until: datetime | None


class BotOut(BaseModel):
    id: str
    nickname: str
    name: str
    kind: str
    active: bool
    url: str | None = None
    secrets_active: int = 0
    breaker: BreakerOut | None = None
    secret: str | None = Field(default=None, description="a new secret, shown this once")

    @classmethod
    def of(cls, registered: RegisteredBot) -> BotOut:
        bot, endpoint = registered.bot, registered.endpoint
        return cls(
            id=bot.id,
            nickname=bot.nickname,
            name=bot.name,
            kind=bot.kind.value,
            active=bot.active,
            url=endpoint.url if endpoint else None,
            secrets_active=len(endpoint.secrets) if endpoint else 0,
            breaker=BreakerOut(
                failures=endpoint.breaker.failures, open_until=endpoint.breaker.open_until
            )
            if endpoint
            else None,
            secret=registered.secret,
        )


class CallableBotOut(BaseModel):
    nickname: str
    name: str
    help: str
    built_in: bool

    @classmethod
    def of(cls, bot: Bot, help_text: str) -> CallableBotOut:
        built_in = bot.id.startswith("builtin-")
        return cls(nickname=bot.nickname, name=bot.name, help=help_text, built_in=built_in)


class SuggestionsOut(BaseModel):
    suggestions: dict[str, str | None] = Field(
        description="bot message id -> the public message it was sent as (null: not yet)"
    )


class SubscriptionCreate(Strict):
    url: str = Field(max_length=2000)
    events: list[str] = Field(min_length=1, max_length=len(SUBSCRIBABLE))


class SubscriptionChange(Strict):
    url: str | None = Field(default=None, max_length=2000)
    events: list[str] | None = Field(default=None, max_length=len(SUBSCRIBABLE))
    active: bool | None = None


class SubscriptionOut(BaseModel):
    id: str
    url: str
    events: list[str]
    active: bool
    breaker: BreakerOut
    secret: str | None = Field(default=None, description="the signing secret, shown this once")

    @classmethod
    def of(cls, endpoint: WebhookEndpoint, secret: str | None = None) -> SubscriptionOut:
        return cls(
            id=endpoint.id,
            url=endpoint.url,
            events=list(endpoint.events),
            active=endpoint.active,
            breaker=BreakerOut(
                failures=endpoint.breaker.failures, open_until=endpoint.breaker.open_until
            ),
            secret=secret,
        )


class DeliveryLogOut(BaseModel):
    id: str
    endpoint_id: str
    event_type: str
    issue_id: str | None
    state: str
    attempts: int
    response_status: int | None
    last_error: str | None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, d: WebhookDelivery) -> DeliveryLogOut:
        return cls(
            id=d.id,
            endpoint_id=d.endpoint_id,
            event_type=d.event_type,
            issue_id=d.issue_id,
            state=d.state,
            attempts=d.attempts,
            response_status=d.response_status,
            last_error=d.last_error,
            created_at=d.created_at,
            updated_at=d.updated_at,
        )


class ArticleWrite(Strict):
    title: str = Field(max_length=200)
    body: str = Field(max_length=100_000, description="Markdown (raw HTML is not rendered)")
    tags: list[str] = Field(default_factory=list, max_length=20)
    team_id: str | None = None
    published: bool = False


class ArticleOut(BaseModel):
    id: str
    title: str
    body: str
    html: str = Field(description="the body rendered and sanitized")
    tags: list[str]
    team_id: str | None
    published: bool
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, a: Article) -> ArticleOut:
        return cls(
            id=a.id,
            title=a.title,
            body=a.body,
            html=render_markdown(a.body),
            tags=list(a.tags),
            team_id=a.team_id,
            published=a.published,
            created_at=a.created_at,
            updated_at=a.updated_at,
        )


class ArticleHitOut(BaseModel):
    id: str
    title: str
    excerpt: str
    rank: float
    tags: list[str]

    @classmethod
    def of(cls, hit: Hit) -> ArticleHitOut:
        a = hit.article
        return cls(id=a.id, title=a.title, excerpt=hit.excerpt, rank=hit.rank, tags=list(a.tags))


class TopicIn(Strict):
    label: str = Field(max_length=40)
    team_id: str | None = None


class WelcomeBotWrite(Strict):
    active: bool = True
    name: str = Field(default="Virtual assistant", max_length=200)
    greeting: str = Field(max_length=1000)
    topics: list[TopicIn] = Field(default_factory=list, max_length=8)


class WelcomeBotOut(BaseModel):
    configured: bool
    active: bool
    name: str | None
    greeting: str
    topics: list[TopicIn]

    @classmethod
    def of(cls, setup: WelcomeSetup) -> WelcomeBotOut:
        bot = setup.bot
        return cls(
            configured=bot is not None,
            active=bool(bot and bot.active),
            name=bot.name if bot else None,
            greeting=setup.greeting,
            topics=[TopicIn(label=t.label, team_id=t.team_id) for t in setup.topics],
        )


class ModelBotWrite(Strict):
    active: bool = True
    url: str = Field(max_length=2000, description="the API's base, e.g. http://127.0.0.1:11434/v1")
    model: str = Field(max_length=200, description="e.g. llama3.1:8b")
    api_key: str | None = Field(
        default=None, max_length=500, description="sent as a bearer token; write-only"
    )


class ModelBotOut(BaseModel):
    nickname: str
    active: bool
    url: str
    model: str
    api_key_set: bool


class TeamHoursOut(BaseModel):
    id: str
    name: str
    hours: str | None
    timezone: str
    open_now: bool
    back_at: str | None = Field(
        description="when a team that is away is back, e.g. Mon 09:00 (UTC)"
    )
