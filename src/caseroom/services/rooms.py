"""Reading a room as a client shows it: a page of messages, with their deliveries
(for agents) and every reader's receipts, from one access check."""

from __future__ import annotations

from dataclasses import dataclass, field

from caseroom.domain.delivery import Delivery, Receipt
from caseroom.domain.model import Principal, Room
from caseroom.domain.records import Page
from caseroom.domain.visibility import can_see_room
from caseroom.services.common import access_issue
from caseroom.services.messages import page_of
from caseroom.storage.inbound_mails import InboundMail
from caseroom.storage.mail import MessageEmail
from caseroom.storage.uow import UnitOfWork


@dataclass(frozen=True, slots=True)
class RoomPage:
    page: Page
    deliveries: list[Delivery]  # empty for whoever may not read the private room
    receipts: list[Receipt]
    emails: list[MessageEmail] = field(default_factory=list)  # agents only
    received: list[InboundMail] = field(default_factory=list)  # agents only: mail taken in


async def read_room(
    principal: Principal,
    uow: UnitOfWork,
    issue_id: str,
    room: Room,
    *,
    after: int | None,
    before: int | None,
    limit: int,
) -> RoomPage:
    issue = await access_issue(principal, uow, issue_id)
    page = await page_of(principal, uow, issue, room, after=after, before=before, limit=limit)
    sent: list[Delivery] = []
    emails: list[MessageEmail] = []
    received: list[InboundMail] = []
    if can_see_room(principal, issue, Room.PRIVATE):  # addresses and errors: agents only
        ids = [m.id for m in page.messages]
        sent = await uow.deliveries.for_messages(issue.org_id, ids)
        emails = await uow.message_emails.for_messages(issue.org_id, ids)
        received = await uow.inbound_mails.for_messages(issue.org_id, ids)
    marks = await uow.receipts.for_room(issue.org_id, issue.id, room)
    return RoomPage(page, sent, marks, emails, received)
