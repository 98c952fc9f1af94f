"""The local capture of outbound mail (admins): what the organization's email
would have sent when no relay is set up, listed and opened."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from caseroom.services import mail
from caseroom.storage.mail import CapturedMail
from caseroom.storage.uow import UnitOfWork
from caseroom.web.deps import Context, CurrentPrincipal
from caseroom.web.schemas_mail import CapturedMailDetail, CapturedMailOut, CapturedMailPage

router = APIRouter(prefix="/api/v1/admin/sent-mail", tags=["channels"])


@router.get("", response_model=CapturedMailPage)
async def list_sent_mail(
    principal: CurrentPrincipal,
    context: Context,
    before: str | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> CapturedMailPage:
    """Admins only: captured outbound mail, newest first (`before`: an id to page back from)."""

    async def work(uow: UnitOfWork) -> list[CapturedMail]:
        return await mail.list_captured(principal, uow, before=before, limit=limit + 1)

    found = await context.db.read(work)
    return CapturedMailPage(
        items=[CapturedMailOut.of(m) for m in found[:limit]], has_more=len(found) > limit
    )


@router.get("/{mail_id}", response_model=CapturedMailDetail)
async def read_sent_mail(
    mail_id: str, principal: CurrentPrincipal, context: Context
) -> CapturedMailDetail:
    """Admins only: one captured mail with its headers, its text and its HTML (sanitized)."""

    async def work(uow: UnitOfWork) -> mail.CapturedView:
        return await mail.read_captured(principal, uow, mail_id)

    view = await context.db.read(work)
    return CapturedMailDetail(
        **CapturedMailOut.of(view.mail).model_dump(),
        headers=view.headers,
        text=view.text,
        html=view.html,
    )


# Sanitized mail HTML, shown in a sandboxed frame of the console: it may paint
# with its inline styles and data: images, and nothing else; no script runs and
# nothing loads from anywhere.
MAIL_HTML_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox; "
        "frame-ancestors 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "private, no-store",
}


def mail_html_response(html: str) -> Response:
    """A mail's sanitized HTML as a document of its own, for a sandboxed frame."""
    document = f'<!DOCTYPE html><meta charset="utf-8"><base target="_blank">{html}'
    return Response(document, media_type="text/html; charset=utf-8", headers=MAIL_HTML_HEADERS)


@router.get("/{mail_id}/html", response_class=Response)
async def read_sent_mail_html(
    mail_id: str, principal: CurrentPrincipal, context: Context
) -> Response:
    """Admins only: the captured mail's HTML part, sanitized, as a page for a frame."""

    async def work(uow: UnitOfWork) -> mail.CapturedView:
        return await mail.read_captured(principal, uow, mail_id)

    return mail_html_response((await context.db.read(work)).html or "")
