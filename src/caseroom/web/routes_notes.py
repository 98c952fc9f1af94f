"""Changing existing messages: edit and delete log notes, redact, read changes."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from caseroom.domain.model import Message, Room
from caseroom.domain.records import Page
from caseroom.services import notes, redaction
from caseroom.storage.uow import UnitOfWork
from caseroom.web.deps import Context, CurrentPrincipal
from caseroom.web.schemas import MessageOut, MessagePage
from caseroom.web.schemas_tools import NoteEdit, RedactRequest

router = APIRouter(prefix="/api/v1/issues", tags=["messages"])


@router.patch("/{issue_id}/messages/{message_id}", response_model=MessageOut)
async def edit_note(
    issue_id: str, message_id: str, body: NoteEdit, principal: CurrentPrincipal, context: Context
) -> MessageOut:
    """Edit a log note (its author or an admin). The earlier text goes to the
    activity log; agents following the Issue receive `message.updated`."""

    async def work(uow: UnitOfWork) -> Message:
        return await notes.edit_note(
            principal,
            uow,
            issue_id,
            message_id,
            body.body,
            max_chars=context.settings.max_message_chars,
        )

    return MessageOut.of(await context.db.run(work), principal)


@router.delete("/{issue_id}/messages/{message_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_note(
    issue_id: str, message_id: str, principal: CurrentPrincipal, context: Context
) -> None:
    """Delete a log note (its author or an admin): it stays as an empty tombstone
    with `deleted_at`; its text stays in the activity log."""

    async def work(uow: UnitOfWork) -> None:
        await notes.delete_note(principal, uow, issue_id, message_id)

    await context.db.run(work)


@router.post("/{issue_id}/messages/{message_id}/redact", response_model=MessageOut)
async def redact_message(
    issue_id: str,
    message_id: str,
    body: RedactRequest,
    principal: CurrentPrincipal,
    context: Context,
) -> MessageOut:
    """Remove secrets from a message everywhere it is kept: what the organization's
    patterns find (card numbers always) and the exact texts given. 422 if there is
    nothing to remove."""
    limit = context.settings.redaction_secrets_max

    async def work(uow: UnitOfWork) -> Message:
        return await redaction.redact_message(
            principal, uow, issue_id, message_id, body.secrets, max_secrets=limit
        )

    return MessageOut.of(await context.db.run(work), principal)


@router.get("/{issue_id}/rooms/{room}/changes", response_model=MessagePage)
async def list_changes(
    issue_id: str,
    room: Room,
    principal: CurrentPrincipal,
    context: Context,
    after: Annotated[int, Query(ge=0, description="the last change_seq the client has")] = 0,
    limit: Annotated[int | None, Query(ge=1)] = None,
) -> MessagePage:
    """Messages of the room edited, deleted or redacted after change number `after`,
    as they read now, in change order (agents only)."""
    settings = context.settings
    size = min(limit or settings.page_size_default, settings.page_size_max)

    async def work(uow: UnitOfWork) -> Page:
        return await notes.list_changed_messages(
            principal, uow, issue_id, room, after=after, limit=size
        )

    page = await context.db.read(work)
    items = [MessageOut.of(m, principal) for m in page.messages]
    return MessagePage(items=items, has_more=page.has_more)
