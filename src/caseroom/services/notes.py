"""Changing what was said: editing and deleting log notes, reading changes since.

The earlier text of a note is kept in the Issue's activity log (agents only);
the message itself always shows its current text, with `edited_at` or
`deleted_at` set, and a change number clients use to catch up."""

from __future__ import annotations

import dataclasses

from caseroom.domain import events
from caseroom.domain.errors import Conflict, Forbidden, NotFound
from caseroom.domain.model import (
    AgentPrincipal,
    Issue,
    Message,
    MessageKind,
    Principal,
    Room,
)
from caseroom.domain.records import Page
from caseroom.domain.text import clean_text
from caseroom.domain.visibility import can_see_message, visible_kinds
from caseroom.services.common import access_issue, record, require_agent, utcnow
from caseroom.services.notifications import do_notify_mentions
from caseroom.storage.uow import UnitOfWork


async def access_message(
    principal: Principal, uow: UnitOfWork, issue_id: str, message_id: str
) -> tuple[Issue, Message]:
    """Load a message the principal may see, locking its Issue for the change.
    Missing and hidden look the same (404)."""
    issue = await access_issue(principal, uow, issue_id, for_update=True)
    message = await uow.messages.get(issue.org_id, message_id)
    if message is None or not can_see_message(principal, issue, message):
        raise NotFound("no such message")
    return issue, message


def check_note_change(principal: Principal, message: Message) -> AgentPrincipal:
    """A note may be changed by its author, or by an admin, until it is deleted."""
    agent = require_agent(principal)
    if message.kind is not MessageKind.NOTE:
        raise Conflict("only log notes can be edited or deleted", kind=message.kind.value)
    if message.deleted_at is not None:
        raise Conflict("this note was deleted")
    if message.author_id != agent.agent.id and not agent.is_admin:
        raise Forbidden("only the note's author or an admin may change it")
    return agent


async def do_change_message(
    uow: UnitOfWork, issue: Issue, changed: Message, event_type: str
) -> Message:
    """Number the change, store it and announce it. Every change to an existing
    message (edit, deletion, redaction) goes through here."""
    change_seq = await uow.messages.take_change_seq(issue.org_id, issue.id)
    changed = dataclasses.replace(changed, change_seq=change_seq)
    await uow.messages.save_change(changed)
    uow.emit(events.message_changed(event_type, issue, changed))
    return changed


# Activity detail fields that quote a message's text (redaction rewrites them).
QUOTED_FIELDS = ("previous_body", "body")


def _about(message: Message) -> dict[str, object]:
    return {"message_id": message.id, "room": message.room.value, "seq": message.seq}


async def edit_note(
    principal: Principal,
    uow: UnitOfWork,
    issue_id: str,
    message_id: str,
    body: str,
    *,
    max_chars: int,
) -> Message:
    text = clean_text(body, field="body", max_chars=max_chars)
    issue, message = await access_message(principal, uow, issue_id, message_id)
    agent = check_note_change(principal, message)
    if text == message.body:
        return message
    now = utcnow()
    await record(
        uow,
        issue,
        principal,
        "note.edited",
        {**_about(message), "previous_body": message.body},
        now=now,
    )
    edited = await do_change_message(
        uow, issue, dataclasses.replace(message, body=text, edited_at=now), "message.updated"
    )
    await do_notify_mentions(uow, agent, issue, edited)
    return edited


async def delete_note(
    principal: Principal, uow: UnitOfWork, issue_id: str, message_id: str
) -> None:
    """The note leaves the room (a tombstone keeps its place in the sequence);
    its text stays in the activity log."""
    issue, message = await access_message(principal, uow, issue_id, message_id)
    check_note_change(principal, message)
    now = utcnow()
    await record(
        uow, issue, principal, "note.deleted", {**_about(message), "body": message.body}, now=now
    )
    await do_change_message(
        uow, issue, dataclasses.replace(message, body="", deleted_at=now), "message.deleted"
    )


async def list_changed_messages(
    principal: Principal, uow: UnitOfWork, issue_id: str, room: Room, *, after: int, limit: int
) -> Page:
    """Messages of `room` changed after change number `after`, as they read now:
    how a reconnecting console learns of edits to messages it already has.
    Agents only: change numbers count every change on the Issue, notes included,
    so they are not a Customer's to probe (a Customer re-reads the room)."""
    require_agent(principal)
    issue = await access_issue(principal, uow, issue_id)
    kinds = visible_kinds(principal, issue, room)
    if not kinds:
        raise NotFound("no such room")
    return await uow.messages.changed(issue.org_id, issue.id, room, kinds, after=after, limit=limit)
