"""The desk's availability for the widget: online while an agent's console is
connected (heard within a few heartbeats), away otherwise. Team hours can join
this rule later; today it is agents' presence alone."""

from __future__ import annotations

from datetime import timedelta

from caseroom.domain.errors import NotFound
from caseroom.domain.model import AgentPrincipal, Principal
from caseroom.services.common import utcnow
from caseroom.storage.uow import UnitOfWork

HEARTBEATS = 3  # missed heartbeats before an agent counts as gone


async def agent_seen(principal: Principal, uow: UnitOfWork) -> None:
    """An agent's console is connected now (agents only; others mark nothing)."""
    if isinstance(principal, AgentPrincipal) and principal.agent.active:
        await uow.availability.seen(principal.org_id, principal.agent.id, utcnow())


async def desk_state(uow: UnitOfWork, org_slug: str, heartbeat_seconds: float) -> str:
    org = await uow.organizations.by_slug(org_slug)
    if org is None:
        raise NotFound("no such organization")
    since = utcnow() - timedelta(seconds=heartbeat_seconds * HEARTBEATS)
    return "online" if await uow.availability.anyone_since(org.id, since) else "away"
