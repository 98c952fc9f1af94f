"""Texts between colleagues about an Issue: an agent may give a mobile number in
their profile; from an Issue's private room another agent texts them there,
and their reply by SMS lands back in that private room.

Only a colleague's number is ever texted from the private room: the recipient
is named by agent id and their number comes from their profile, so no
Customer, and no number typed by hand, can be reached this way."""

from __future__ import annotations

from caseroom.channels.sms.text import normalize_phone
from caseroom.domain.errors import Conflict, InvalidInput, NotFound
from caseroom.domain.files import StoredFile
from caseroom.domain.model import (
    Agent,
    AgentPrincipal,
    Channel,
    MessageKind,
    Principal,
    Room,
)
from caseroom.services.common import access_issue, require_agent, utcnow
from caseroom.services.deliveries import plan_delivery
from caseroom.services.messages import NewMessage, Sent, send_message
from caseroom.services.sms_numbers import sms_region
from caseroom.storage.uow import UnitOfWork


def colleague_ref(number: str) -> str:
    """The thread a colleague's texts belong to: the Issue they were last texted from."""
    return f"colleague:{number}"


async def my_mobile(principal: Principal, uow: UnitOfWork) -> str | None:
    agent = require_agent(principal)
    return await uow.agent_mobiles.get(agent.org_id, agent.agent.id)


async def set_my_mobile(principal: Principal, uow: UnitOfWork, number: str | None) -> str | None:
    """Set (or, with None, remove) the agent's own mobile number, in E.164; a number
    without a country code is read in the organization's SMS region."""
    agent = require_agent(principal)
    org_id, agent_id = agent.org_id, agent.agent.id
    if number is None or not number.strip():
        await uow.agent_mobiles.remove(org_id, agent_id)
        return None
    normalized = normalize_phone(number, await sms_region(uow, org_id))
    holder = await uow.agent_mobiles.agent_with(org_id, normalized)
    if holder is not None and holder != agent_id:
        raise Conflict("another agent of this organization has this number", field="number")
    await uow.agent_mobiles.put(org_id, agent_id, normalized, utcnow())
    return normalized


async def textable_colleagues(principal: Principal, uow: UnitOfWork, issue_id: str) -> list[Agent]:
    """The other active agents who can be texted from this Issue's private room
    (none while the organization has no SMS number)."""
    agent = require_agent(principal)
    await access_issue(principal, uow, issue_id)
    if Channel.SMS not in await uow.channels.configured(agent.org_id):
        return []
    numbers = await uow.agent_mobiles.with_numbers(agent.org_id)
    return [
        a
        for a in await uow.agents.list(agent.org_id)
        if a.active and a.id in numbers and a.id != agent.agent.id
    ]


async def text_colleague(
    principal: Principal,
    uow: UnitOfWork,
    issue_id: str,
    colleague_id: str,
    body: str,
    idempotency_key: str,
    *,
    max_chars: int,
) -> Sent:
    """Store the text in the Issue's private room and send it to the colleague's
    mobile number (one delivery, as for replies to Customers)."""
    agent = require_agent(principal)
    issue = await access_issue(principal, uow, issue_id)
    if Channel.SMS not in await uow.channels.configured(agent.org_id):
        raise InvalidInput("SMS is not set up for this organization", field="channel")
    colleague = await uow.agents.get(agent.org_id, colleague_id)
    if colleague is None or not colleague.active:
        raise NotFound("no such colleague")  # a Customer, or anyone else, is none
    number = await uow.agent_mobiles.get(agent.org_id, colleague.id)
    if number is None:
        raise InvalidInput(f"{colleague.name} has no mobile number in their profile", field="to")
    new = NewMessage(
        room=Room.PRIVATE,
        body=body,
        kind=MessageKind.MESSAGE,
        channel=Channel.SMS,
        idempotency_key=idempotency_key,
        reply_address=number,
    )
    sent = await send_message(principal, uow, issue.id, new, max_chars=max_chars)
    if sent.created:
        await plan_delivery(uow, issue, sent.message.id, Channel.SMS, number)
        await uow.threads.add(agent.org_id, Channel.SMS, colleague_ref(number), issue.id, utcnow())
    return sent


async def receive_colleague_text(
    uow: UnitOfWork,
    org_id: str,
    number: str,
    provider_id: str,
    body: str,
    files: tuple[StoredFile, ...],
    *,
    max_chars: int,
) -> Sent | None:
    """A text from an agent's mobile number that answers a text sent from an
    Issue's private room lands there, as that agent; None when it is no such
    answer (then it is a Customer's text)."""
    agent_id = await uow.agent_mobiles.agent_with(org_id, number)
    if agent_id is None:
        return None
    issue_id = await uow.threads.issue_for(org_id, Channel.SMS, [colleague_ref(number)])
    agent = await uow.agents.get(org_id, agent_id)
    if issue_id is None or agent is None or not agent.active:
        return None
    new = NewMessage(
        room=Room.PRIVATE,
        body=body,
        kind=MessageKind.MESSAGE,
        channel=Channel.SMS,
        idempotency_key=f"{Channel.SMS.value}:{provider_id}"[:128],
        files=files,
        reply_address=number,
    )
    principal = AgentPrincipal(org_id, agent)
    return await send_message(principal, uow, issue_id, new, max_chars=max_chars)
