"""What an inbound email carried besides its message's text, for the console:
the sanitized HTML, the folded quote, its addresses and why it is machine mail.
Visible exactly when its message is; a deleted message shows none of it, a
redacted one its redacted fold and no HTML."""

from __future__ import annotations

from caseroom.domain.errors import NotFound
from caseroom.domain.model import Principal
from caseroom.domain.visibility import issue_scope, may_see
from caseroom.services.common import access_issue
from caseroom.storage.inbound_mails import InboundMail
from caseroom.storage.uow import UnitOfWork


async def mail_details(
    principal: Principal, uow: UnitOfWork, issue_id: str, message_id: str
) -> InboundMail:
    issue = await access_issue(principal, uow, issue_id)
    message = await uow.messages.get(issue.org_id, message_id)
    if (
        message is None
        or message.issue_id != issue.id
        or not may_see(principal, issue_scope(issue, message.room, message.kind))
    ):
        raise NotFound("no such message")
    mail = await uow.inbound_mails.for_message(issue.org_id, message.id)
    if mail is None or message.deleted_at is not None:
        raise NotFound("this message carries no email")
    return mail
