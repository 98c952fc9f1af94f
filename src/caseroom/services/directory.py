"""Use cases on the organization's directory."""

from __future__ import annotations

from caseroom.domain.channels import ChannelOption, channel_options
from caseroom.domain.errors import NotFound
from caseroom.domain.model import Agent, Customer, Organization, Principal, Team
from caseroom.services.common import require_agent
from caseroom.storage.uow import UnitOfWork


async def list_agents(principal: Principal, uow: UnitOfWork) -> list[Agent]:
    require_agent(principal)
    return [a for a in await uow.agents.list(principal.org_id) if a.active]


async def list_teams(principal: Principal, uow: UnitOfWork) -> list[Team]:
    require_agent(principal)
    return await uow.teams.list(principal.org_id)


async def get_organization(
    principal: Principal, uow: UnitOfWork
) -> tuple[Organization, list[ChannelOption]]:
    """The agent's organization and the reply channels it has set up."""
    require_agent(principal)
    org = await uow.organizations.get(principal.org_id)
    if org is None:
        raise NotFound("no such organization")
    return org, channel_options(await uow.channels.configured(org.id))


async def get_customer(principal: Principal, uow: UnitOfWork, customer_id: str) -> Customer:
    require_agent(principal)
    customer = await uow.customers.get(principal.org_id, customer_id)
    if customer is None:
        raise NotFound("no such customer")
    return customer
