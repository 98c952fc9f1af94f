"""An agent's notifications, and the agents to suggest while typing a mention."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from caseroom.domain.events import notification_payload
from caseroom.services import notifications
from caseroom.storage.uow import UnitOfWork
from caseroom.web.deps import Context, CurrentPrincipal
from caseroom.web.schemas_tools import (
    MarkedRead,
    MarkRead,
    MentionSuggestion,
    NotificationList,
    NotificationOut,
)

router = APIRouter(prefix="/api/v1", tags=["notifications"])


@router.get("/notifications", response_model=NotificationList)
async def list_notifications(
    principal: CurrentPrincipal,
    context: Context,
    unread: bool = False,
    cursor: Annotated[str | None, Query(max_length=32)] = None,
    limit: Annotated[int | None, Query(ge=1)] = None,
) -> NotificationList:
    """The agent's notifications, newest first (`unread=true` for unread only)."""
    settings = context.settings
    size = min(limit or settings.page_size_default, settings.page_size_max)

    async def work(uow: UnitOfWork) -> NotificationList:
        views = await notifications.list_notifications(
            principal, uow, unread_only=unread, cursor=cursor, limit=size
        )
        items = [
            NotificationOut.model_validate(notification_payload(v.notification, v.issue, v.message))
            for v in views
        ]
        return NotificationList(
            items=items,
            unread=await notifications.count_unread(principal, uow),
            next_cursor=items[-1].id if len(views) == size else None,
        )

    return await context.db.read(work)


@router.post("/notifications/read", response_model=MarkedRead)
async def mark_read(body: MarkRead, principal: CurrentPrincipal, context: Context) -> MarkedRead:
    """Mark some (`ids`) or all (`all: true`) of the agent's notifications read."""

    async def work(uow: UnitOfWork) -> int:
        return await notifications.mark_read(principal, uow, None if body.all else body.ids)

    return MarkedRead(marked=await context.db.run(work))


@router.get("/agents/suggestions", response_model=list[MentionSuggestion], tags=["directory"])
async def suggest_mentions(
    principal: CurrentPrincipal,
    context: Context,
    q: Annotated[str, Query(max_length=200, description="what follows @")] = "",
) -> list[MentionSuggestion]:
    """Active agents of the organization matching what the user typed after `@`,
    each with the text that mentions them unambiguously."""
    limit = context.settings.mention_suggestions_max

    async def work(uow: UnitOfWork) -> list[MentionSuggestion]:
        found = await notifications.suggest_mentions(principal, uow, q, limit)
        return [
            MentionSuggestion(
                id=s.agent.id, name=s.agent.name, email=s.agent.email, mention=s.mention
            )
            for s in found
        ]

    return await context.db.read(work)
