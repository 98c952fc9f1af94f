"""Bootstrap use cases: creating an organization and its people (CLI, demo, tests)."""

from __future__ import annotations

import asyncio

from caseroom.domain.errors import Conflict
from caseroom.domain.ids import new_id
from caseroom.domain.model import Agent, Organization, Role, Team
from caseroom.domain.text import clean_text, normalize_email
from caseroom.services.auth import hash_password
from caseroom.services.common import utcnow
from caseroom.storage.uow import UnitOfWork


async def create_organization(
    uow: UnitOfWork, slug: str, name: str, *, max_open_issues_per_agent: int | None = None
) -> Organization:
    if await uow.organizations.by_slug(slug):
        raise Conflict(f"an organization {slug!r} exists already", field="slug")
    org = Organization(new_id(), slug, name, max_open_issues_per_agent)
    await uow.organizations.add(org, utcnow())
    return org


async def add_agent(
    uow: UnitOfWork,
    org: Organization,
    *,
    email: str,
    name: str,
    password: str | None,
    role: Role = Role.AGENT,
) -> Agent:
    address = normalize_email(email)
    assert address is not None
    agent = Agent(new_id(), org.id, address, clean_text(name, field="name", max_chars=200), role)
    password_hash = await asyncio.to_thread(hash_password, password) if password else None
    await uow.agents.add(agent, password_hash, utcnow())
    return agent


async def add_team(
    uow: UnitOfWork,
    org: Organization,
    name: str,
    *,
    members: list[Agent],
    hours: str | None = None,
    timezone: str = "UTC",
) -> Team:
    team = Team(new_id(), org.id, name, hours, timezone)
    await uow.teams.add(team)
    for agent in members:
        await uow.teams.add_member(org.id, team.id, agent.id)
    return team
