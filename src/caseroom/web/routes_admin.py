"""The admin API: the organization's agents and teams (admins only; an agent gets
403, and another organization's ids are not found)."""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, status

from caseroom.domain.model import Agent, Role
from caseroom.services import admin_agents, admin_teams
from caseroom.storage.uow import UnitOfWork
from caseroom.web.context import AppContext
from caseroom.web.deps import Context, CurrentPrincipal
from caseroom.web.schemas_admin import (
    AdminAgentOut,
    AgentInvite,
    AgentPatch,
    DeactivatedOut,
    InvitedOut,
    TeamOut,
    TeamWrite,
)

router = APIRouter(prefix="/api/v1/admin", tags=["admin"])


def _ttl(context: AppContext) -> timedelta:
    return timedelta(hours=context.settings.invite_ttl_hours)


def invite_url(context: AppContext, token: str) -> str:
    # In the fragment: browsers do not send it, so it stays out of access logs.
    return f"{context.settings.public_url}/invite#token={token}"


def _row(agent: Agent, invited: bool = False) -> AdminAgentOut:
    return AdminAgentOut.of_row(admin_agents.AgentRow(agent, invited))


@router.get("/agents", response_model=list[AdminAgentOut])
async def list_agents(principal: CurrentPrincipal, context: Context) -> list[AdminAgentOut]:
    """Every agent, deactivated and invited ones included."""

    async def work(uow: UnitOfWork) -> list[admin_agents.AgentRow]:
        return await admin_agents.list_all_agents(principal, uow)

    return [AdminAgentOut.of_row(r) for r in await context.db.read(work)]


@router.post("/agents", response_model=InvitedOut, status_code=status.HTTP_201_CREATED)
async def invite_agent(
    body: AgentInvite, principal: CurrentPrincipal, context: Context
) -> InvitedOut:
    """Add an agent and return their one-time link; it sets their password."""

    async def work(uow: UnitOfWork) -> admin_agents.Invited:
        return await admin_agents.invite_agent(
            principal,
            uow,
            email=body.email,
            name=body.name,
            role=Role(body.role),
            team_ids=tuple(body.team_ids),
            ttl=_ttl(context),
        )

    invited = await context.db.run(work)
    return InvitedOut(
        agent=_row(invited.agent, True), invite_url=invite_url(context, invited.token)
    )


@router.patch("/agents/{agent_id}", response_model=AdminAgentOut)
async def change_agent(
    agent_id: str, body: AgentPatch, principal: CurrentPrincipal, context: Context
) -> AdminAgentOut:
    """Name, role and teams. The last active admin keeps their role."""
    changes = admin_agents.AgentChanges(
        name=body.name,
        role=Role(body.role) if body.role else None,
        team_ids=tuple(body.team_ids) if body.team_ids is not None else None,
    )

    async def work(uow: UnitOfWork) -> Agent:
        return await admin_agents.change_agent(principal, uow, agent_id, changes)

    return _row(await context.db.run(work))


@router.post("/agents/{agent_id}/invite", response_model=InvitedOut)
async def reinvite_agent(
    agent_id: str, principal: CurrentPrincipal, context: Context
) -> InvitedOut:
    """A new one-time link (earlier links stop working)."""

    async def work(uow: UnitOfWork) -> admin_agents.Invited:
        return await admin_agents.reinvite_agent(principal, uow, agent_id, ttl=_ttl(context))

    invited = await context.db.run(work)
    return InvitedOut(agent=_row(invited.agent), invite_url=invite_url(context, invited.token))


@router.post("/agents/{agent_id}/deactivate", response_model=DeactivatedOut)
async def deactivate_agent(
    agent_id: str, principal: CurrentPrincipal, context: Context
) -> DeactivatedOut:
    """Signed out everywhere at once; their open Issues go back to the team queue."""

    async def work(uow: UnitOfWork) -> admin_agents.Deactivated:
        return await admin_agents.deactivate_agent(principal, uow, agent_id)

    done = await context.db.run(work)
    return DeactivatedOut(
        agent=_row(done.agent),
        released_issue_ids=[i.id for i in done.released],
        sessions_revoked=done.sessions_revoked,
    )


@router.post("/agents/{agent_id}/reactivate", response_model=AdminAgentOut)
async def reactivate_agent(
    agent_id: str, principal: CurrentPrincipal, context: Context
) -> AdminAgentOut:
    async def work(uow: UnitOfWork) -> Agent:
        return await admin_agents.reactivate_agent(principal, uow, agent_id)

    return _row(await context.db.run(work))


def _draft(body: TeamWrite) -> admin_teams.TeamDraft:
    given = body.model_fields_set
    return admin_teams.TeamDraft(
        name=body.name,
        hours=body.hours if "hours" in given else admin_teams.UNSET,
        timezone=body.timezone,
        member_ids=tuple(body.member_ids) if body.member_ids is not None else None,
    )


@router.get("/teams", response_model=list[TeamOut])
async def list_teams(principal: CurrentPrincipal, context: Context) -> list[TeamOut]:
    async def work(uow: UnitOfWork) -> list[admin_teams.TeamView]:
        return await admin_teams.list_teams(principal, uow)

    return [TeamOut.of(v) for v in await context.db.read(work)]


@router.post("/teams", response_model=TeamOut, status_code=status.HTTP_201_CREATED)
async def create_team(body: TeamWrite, principal: CurrentPrincipal, context: Context) -> TeamOut:
    """Hours like `Mon-Fri 09:00-17:00` (parts separated by commas) in an IANA time zone."""

    async def work(uow: UnitOfWork) -> admin_teams.TeamView:
        return await admin_teams.create_team(principal, uow, _draft(body))

    return TeamOut.of(await context.db.run(work))


@router.get("/teams/{team_id}", response_model=TeamOut)
async def get_team(team_id: str, principal: CurrentPrincipal, context: Context) -> TeamOut:
    async def work(uow: UnitOfWork) -> admin_teams.TeamView:
        return await admin_teams.access_team(principal, uow, team_id)

    return TeamOut.of(await context.db.read(work))


@router.patch("/teams/{team_id}", response_model=TeamOut)
async def update_team(
    team_id: str, body: TeamWrite, principal: CurrentPrincipal, context: Context
) -> TeamOut:
    async def work(uow: UnitOfWork) -> admin_teams.TeamView:
        return await admin_teams.update_team(principal, uow, team_id, _draft(body))

    return TeamOut.of(await context.db.run(work))
