"""The Customer's presence on an Issue, from their websocket sessions: never
stored, announced to agents (through the broker, so every process's consoles
see it) when a session opens the conversation, hides or shows it, and closes,
and again with each heartbeat while it is open."""

from __future__ import annotations

from caseroom.domain import events
from caseroom.domain.model import AgentPrincipal, CustomerPrincipal, Principal
from caseroom.services.common import access_issue, utcnow
from caseroom.storage.uow import UnitOfWork


async def announce_presence(
    principal: Principal, uow: UnitOfWork, issue_id: str, state: str
) -> None:
    """Stage `state` of the Customer on the Issue for `Database.announce`. Agents'
    and bots' sessions have no presence here: nothing is staged for them."""
    if isinstance(principal, AgentPrincipal) and state in events.AGENT_PRESENCE_STATES:
        issue = await access_issue(principal, uow, issue_id)
        agent = principal.agent
        uow.emit(events.agent_presence(issue, agent.id, agent.name, state, utcnow()))
        return
    if not isinstance(principal, CustomerPrincipal):
        return
    issue = await access_issue(principal, uow, issue_id)
    uow.emit(events.presence_updated(issue, principal.customer.id, state, utcnow()))
