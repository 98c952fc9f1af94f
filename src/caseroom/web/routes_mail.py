"""The local capture of outbound mail (admins): what the organization's email
would have sent when no relay is set up, listed and opened."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

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
