"""The customer side: the widget loader, the chat pages (web widget, in-app embed,
mobile Connect page), the public widget look, identity tokens, and the admin
settings behind them."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from fastapi import APIRouter, Response, status
from fastapi.responses import FileResponse

from caseroom.domain.model import CustomerPrincipal, Surface
from caseroom.domain.widget import WidgetChanges, WidgetSettings
from caseroom.services import conversations, identity, widget
from caseroom.storage.uow import UnitOfWork
from caseroom.web.context import AppContext
from caseroom.web.deps import Context, CurrentPrincipal
from caseroom.web.page_headers import chat_page_headers
from caseroom.web.schemas import IssueOut, MessageOut
from caseroom.web.schemas_widget import (
    ConversationOpen,
    ConversationOpened,
    CustomerBrief,
    IdentityExchange,
    IdentitySecretOut,
    PublicWidgetOut,
    VerifiedOut,
    WidgetSettingsOut,
    WidgetSettingsPatch,
)

WIDGET_STATIC = Path(__file__).parent / "static" / "widget"
CHAT_PAGE = WIDGET_STATIC / "chat.html"
LOADER = WIDGET_STATIC / "widget.js"

pages = APIRouter(include_in_schema=False)
router = APIRouter(prefix="/api/v1", tags=["widget"])


async def _chat_page(context: AppContext, org_slug: str, *, frameable: bool) -> FileResponse:
    async def work(uow: UnitOfWork) -> widget.PublicWidget:
        return await widget.public_widget(uow, org_slug)

    public = await context.db.read(work)  # 404 for an unknown organization
    sites = public.settings.allowed_sites if frameable else None
    return FileResponse(CHAT_PAGE, media_type="text/html", headers=chat_page_headers(sites))


@pages.get("/widget.js")
async def widget_loader() -> FileResponse:
    """The one script a site adds: `<script src=".../widget.js" data-org="slug">`."""
    return FileResponse(LOADER, media_type="text/javascript")


@pages.get("/widget/{org_slug}")
async def widget_page(org_slug: str, context: Context) -> FileResponse:
    """The chat panel the loader opens in an iframe."""
    return await _chat_page(context, org_slug, frameable=True)


@pages.get("/embed/{org_slug}")
async def embed_page(org_slug: str, context: Context) -> FileResponse:
    """microConnect: the chat an app opens from its help button; an identity token
    in the fragment (#identity_token=...) signs the Customer in."""
    return await _chat_page(context, org_slug, frameable=True)


@pages.get("/connect/{org_slug}")
async def connect_page(org_slug: str, context: Context) -> FileResponse:
    """Connect: the full-screen chat for phones, at a shareable address."""
    return await _chat_page(context, org_slug, frameable=False)


@router.get("/organizations/{org_slug}/widget", response_model=PublicWidgetOut)
async def public_widget(org_slug: str, context: Context, response: Response) -> PublicWidgetOut:
    """The widget's look, readable by any site's script (no credentials involved)."""

    async def work(uow: UnitOfWork) -> widget.PublicWidget:
        return await widget.public_widget(uow, org_slug)

    found = await context.db.read(work)
    response.headers["Access-Control-Allow-Origin"] = "*"
    return PublicWidgetOut.of_public(found)


@router.post("/organizations/{org_slug}/identity", response_model=VerifiedOut)
async def exchange_identity(org_slug: str, body: IdentityExchange, context: Context) -> VerifiedOut:
    """Exchange a host app's signed identity token for a customer token that sees
    all of that Customer's Issues. 401 if the token is not genuine and current."""
    settings = context.settings
    rules = identity.IdentityRules(
        token_ttl=timedelta(days=settings.customer_token_ttl_days),
        max_age=timedelta(seconds=settings.identity_token_max_age_seconds),
        leeway=timedelta(seconds=settings.identity_token_leeway_seconds),
        issues_limit=settings.page_size_default,
    )

    async def work(uow: UnitOfWork) -> identity.Verified:
        return await identity.verify_customer(uow, org_slug, body.identity_token, rules)

    verified = await context.db.run(work)
    principal = CustomerPrincipal(verified.customer.org_id, verified.customer)
    return VerifiedOut(
        customer_token=verified.token.token,
        customer=CustomerBrief(id=verified.customer.id, name=verified.customer.name),
        issues=[IssueOut.of(issue, principal) for issue in verified.issues],
    )


@router.post(
    "/conversations",
    response_model=ConversationOpened,
    status_code=status.HTTP_201_CREATED,
    responses={200: {"description": "a retry: the conversation first opened with this key"}},
)
async def open_conversation(
    body: ConversationOpen, principal: CurrentPrincipal, context: Context, response: Response
) -> ConversationOpened:
    """A Customer holding a customer token starts another conversation (a new Issue)."""

    async def work(uow: UnitOfWork) -> conversations.Opened:
        return await conversations.open_another_conversation(
            principal,
            uow,
            subject=body.subject,
            message=body.message,
            idempotency_key=body.idempotency_key,
            max_chars=context.settings.max_message_chars,
            surface=Surface(body.surface) if body.surface else None,
        )

    opened = await context.db.run(work)
    if not opened.sent.created:
        response.status_code = status.HTTP_200_OK
    return ConversationOpened(
        issue=IssueOut.of(opened.issue, principal), message=MessageOut.of(opened.sent.message)
    )


# -- admin: the widget's look and the identity secret ---------------------------------


@router.get("/settings/widget", response_model=WidgetSettingsOut)
async def get_widget_settings(principal: CurrentPrincipal, context: Context) -> WidgetSettingsOut:
    async def work(uow: UnitOfWork) -> WidgetSettings:
        return await widget.get_widget_settings(principal, uow)

    return WidgetSettingsOut.of(await context.db.read(work))


@router.patch("/settings/widget", response_model=WidgetSettingsOut)
async def change_widget_settings(
    body: WidgetSettingsPatch, principal: CurrentPrincipal, context: Context
) -> WidgetSettingsOut:
    """Admins only. Give the settings to change; the others keep their values."""
    changes = WidgetChanges(**body.model_dump())

    async def work(uow: UnitOfWork) -> WidgetSettings:
        return await widget.change_widget_settings(principal, uow, changes)

    return WidgetSettingsOut.of(await context.db.run(work))


@router.get("/settings/widget/identity-secret", response_model=IdentitySecretOut)
async def get_identity_secret(principal: CurrentPrincipal, context: Context) -> IdentitySecretOut:
    """Admins only: the key host apps sign identity tokens with (null until created)."""

    async def work(uow: UnitOfWork) -> widget.IdentitySecret:
        return await widget.get_identity_secret(principal, uow)

    found = await context.db.read(work)
    return IdentitySecretOut(secret=found.secret, rotated_at=found.rotated_at)


@router.post("/settings/widget/identity-secret", response_model=IdentitySecretOut)
async def rotate_identity_secret(
    principal: CurrentPrincipal, context: Context
) -> IdentitySecretOut:
    """Admins only: create or replace the secret; tokens signed with the old one
    are refused from now on."""
    size = context.settings.identity_secret_bytes

    async def work(uow: UnitOfWork) -> widget.IdentitySecret:
        return await widget.rotate_identity_secret(principal, uow, secret_bytes=size)

    found = await context.db.run(work)
    return IdentitySecretOut(secret=found.secret, rotated_at=found.rotated_at)
