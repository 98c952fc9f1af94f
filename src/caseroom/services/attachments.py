"""Use cases on an Issue's attachments: the attachments view and access to one file.
A file is visible exactly when the message that carries it is."""

from __future__ import annotations

from caseroom.domain.errors import NotFound
from caseroom.domain.model import Attachment, Principal, Room
from caseroom.domain.visibility import issue_scope, may_see, visible_kinds
from caseroom.services.common import access_issue
from caseroom.storage.uow import UnitOfWork


async def list_attachments(
    principal: Principal, uow: UnitOfWork, issue_id: str
) -> list[Attachment]:
    """Every file of the Issue the principal may see, oldest first: for a Customer,
    files on public-room messages only (never on notes)."""
    issue = await access_issue(principal, uow, issue_id)
    visible = {room: visible_kinds(principal, issue, room) for room in Room}
    return await uow.attachments.for_issue(issue.org_id, issue.id, visible)


async def access_attachment(
    principal: Principal, uow: UnitOfWork, issue_id: str, attachment_id: str
) -> Attachment:
    """One file the principal may see; hidden and missing look the same (404)."""
    issue = await access_issue(principal, uow, issue_id)
    attachment = await uow.attachments.get(issue.org_id, issue.id, attachment_id)
    if attachment is None or not may_see(
        principal, issue_scope(issue, attachment.room, attachment.message_kind)
    ):
        raise NotFound("no such attachment")
    return attachment
