"""An assist bot's suggestion, sent to the Customer by an agent: posted in the
public room as the agent's own message, once, and only when the agent asks."""

from __future__ import annotations

from caseroom.domain.errors import Conflict, NotFound
from caseroom.domain.model import Principal, Room
from caseroom.services.common import access_issue, require_agent
from caseroom.services.messages import NewMessage, Sent
from caseroom.services.sending import Sender
from caseroom.storage.uow import UnitOfWork


async def suggestions_of(
    principal: Principal, uow: UnitOfWork, issue_id: str
) -> dict[str, str | None]:
    """message id -> the public message it became (None: not sent yet)."""
    require_agent(principal)
    issue = await access_issue(principal, uow, issue_id)
    return await uow.bots.suggestions(issue.org_id, issue.id)


async def send_suggestion(
    sender: Sender, principal: Principal, issue_id: str, message_id: str
) -> Sent:
    agent = require_agent(principal)

    async def text_of(uow: UnitOfWork) -> str:
        await access_issue(principal, uow, issue_id)
        found = await uow.bots.suggestion(agent.org_id, message_id)
        if found is None or found[0] != issue_id:
            raise NotFound("no such suggestion")
        return found[1]

    text = await sender.db.read(text_of)

    async def mark(uow: UnitOfWork, sent: Sent) -> None:
        found = await uow.bots.suggestion(agent.org_id, message_id, for_update=True)
        assert found is not None
        if found[2] not in (None, sent.message.id):
            raise Conflict("this suggestion was already sent to the Customer")
        await uow.bots.mark_sent(agent.org_id, message_id, sent.message.id)

    new = NewMessage(
        room=Room.PUBLIC, body=text, channel=None, idempotency_key=f"suggestion:{message_id}"
    )
    return await sender.post(principal, issue_id, new, also=mark)
