"""Read receipts: how far a reader has received and read a room. The Customer's
client reports them for agents' messages (the console's delivered and read
marks), agents' consoles report theirs (the Customer's "seen")."""

from __future__ import annotations

from caseroom.domain import events
from caseroom.domain.delivery import Receipt
from caseroom.domain.errors import InvalidInput, NotFound
from caseroom.domain.model import Principal, Room
from caseroom.domain.visibility import can_see_room
from caseroom.services.common import access_issue, actor_of, utcnow
from caseroom.storage.uow import UnitOfWork


async def mark_receipt(
    principal: Principal,
    uow: UnitOfWork,
    issue_id: str,
    room: Room,
    *,
    delivered_seq: int | None,
    read_seq: int | None,
) -> Receipt:
    """Record that `principal` has received (and read) the room up to these numbers.
    Marks only move forward; reading implies receiving; a number past the room's
    last message is refused."""
    issue = await access_issue(principal, uow, issue_id)
    if not can_see_room(principal, issue, room):
        raise NotFound("no such room")
    last = issue.last_seq(room)
    for name, value in (("delivered_seq", delivered_seq), ("read_seq", read_seq)):
        if value is not None and not 0 <= value <= last:
            raise InvalidInput(
                f"{name}={value} is not a message of this room (its last is {last})",
                field=name,
                last_seq=last,
            )
    kind, reader_id, _ = actor_of(principal)
    before = await uow.receipts.get(issue.org_id, issue.id, room, kind.value, reader_id)
    read = max(read_seq or 0, before.read_seq if before else 0)
    delivered = max(delivered_seq or 0, read, before.delivered_seq if before else 0)
    receipt = Receipt(issue.id, kind.value, reader_id, delivered, read)
    if before == receipt:
        return receipt
    await uow.receipts.put(issue.org_id, room, receipt, utcnow())
    uow.emit(events.receipt_updated(issue, room, receipt))
    return receipt
