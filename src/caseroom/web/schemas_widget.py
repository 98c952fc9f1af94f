"""Bodies of the customer-side API: widget settings, identity tokens, follow-up
conversations."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field

from caseroom.domain.widget import (
    GREETING_MAX_CHARS,
    TITLE_MAX_CHARS,
    WidgetSettings,
    text_color_on,
)
from caseroom.services.widget import PublicWidget
from caseroom.web.schemas import ChatSurface, IssueOut, MessageOut, Strict


class WidgetLookOut(BaseModel):
    position: str = Field(description="left or right: where the launcher sits")
    color: str = Field(description="the brand colour, #rrggbb")
    title: str
    greeting: str

    @classmethod
    def look(cls, settings: WidgetSettings) -> dict[str, str]:
        return {
            "position": settings.position.value,
            "color": settings.color,
            "title": settings.title,
            "greeting": settings.greeting,
        }


class WidgetSettingsOut(WidgetLookOut):
    """What admins set: the look, and where the chat may be shown."""

    allowed_sites: list[str] = Field(
        description="origins that may show the widget and the embed in a frame; empty: any"
    )

    @classmethod
    def of(cls, settings: WidgetSettings) -> WidgetSettingsOut:
        return cls(**cls.look(settings), allowed_sites=list(settings.allowed_sites))


class WidgetSettingsPatch(Strict):
    position: str | None = Field(default=None, max_length=8)
    color: str | None = Field(default=None, max_length=16)
    title: str | None = Field(default=None, max_length=TITLE_MAX_CHARS * 2)
    greeting: str | None = Field(default=None, max_length=GREETING_MAX_CHARS * 2)
    allowed_sites: list[Annotated[str, Field(max_length=300)]] | None = Field(
        default=None, max_length=100, description="origins, like https://shop.example.com"
    )


class OrganizationBrief(BaseModel):
    slug: str
    name: str


class PublicWidgetOut(WidgetLookOut):
    """What any visitor may read: the look of the chat, nothing else."""

    organization: OrganizationBrief
    text_color: str = Field(description="black or white, whichever reads better on `color`")

    @classmethod
    def of_public(cls, public: PublicWidget) -> PublicWidgetOut:
        return cls(
            **cls.look(public.settings),
            organization=OrganizationBrief(
                slug=public.organization.slug, name=public.organization.name
            ),
            text_color=text_color_on(public.settings.color),
        )


class IdentitySecretOut(BaseModel):
    secret: str | None = Field(description="HMAC-SHA256 key for identity tokens; null if unset")
    rotated_at: datetime | None


class IdentityExchange(Strict):
    identity_token: str = Field(min_length=1, max_length=4096)


class CustomerBrief(BaseModel):
    id: str
    name: str


class VerifiedOut(BaseModel):
    customer_token: str = Field(description="grants every Issue of this Customer, public rooms")
    customer: CustomerBrief
    issues: list[IssueOut] = Field(description="the Customer's Issues, newest first")


class ConversationOpen(Strict):
    subject: str | None = Field(default=None, max_length=300)
    message: str
    idempotency_key: str | None = Field(default=None, min_length=8, max_length=128)
    surface: ChatSurface | None = Field(
        default=None,
        description="the chat page it comes from (widget, embed or connect); a token from "
        "a signed identity always starts from the embed",
    )


class ConversationOpened(BaseModel):
    issue: IssueOut
    message: MessageOut
