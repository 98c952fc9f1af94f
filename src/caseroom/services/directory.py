"""Use cases on the organization's directory."""

from __future__ import annotations

from caseroom.domain.model import Agent, Principal, Team
from caseroom.services.common import require_agent
from caseroom.storage.uow import UnitOfWork


async def list_agents(principal: Principal, uow: UnitOfWork) -> list[Agent]:
    require_agent(principal)
    return [a for a in await uow.agents.list(principal.org_id) if a.active]


async def list_teams(principal: Principal, uow: UnitOfWork) -> list[Team]:
    require_agent(principal)
    return await uow.teams.list(principal.org_id)
