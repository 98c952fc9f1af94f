"""Setting up a desk: the organization, its first admin and a first team, in one
transaction. `caseroom init` runs it from a shell; the first-run page (/setup)
runs it once, while no organization exists."""

from __future__ import annotations

import re
from dataclasses import dataclass

from caseroom.domain.audit import Actor
from caseroom.domain.errors import Conflict, InvalidInput
from caseroom.domain.model import Agent, Organization, Role, Team
from caseroom.domain.text import clean_text
from caseroom.services import organizations
from caseroom.services.admin_agents import check_password, do_add_agent
from caseroom.services.admin_teams import TeamDraft, do_create_team
from caseroom.services.audit import audit
from caseroom.storage.uow import UnitOfWork

_SLUG = re.compile(r"[a-z0-9][a-z0-9-]{1,62}[a-z0-9]")


@dataclass(frozen=True, slots=True)
class DeskPlan:
    org_slug: str
    org_name: str
    admin_email: str
    admin_name: str
    admin_password: str
    team_name: str = "Support"
    hours: str | None = None
    timezone: str = "UTC"


@dataclass(frozen=True, slots=True)
class Desk:
    org: Organization
    admin: Agent
    team: Team


def check_slug(slug: str) -> str:
    slug = slug.strip().lower()
    if not _SLUG.fullmatch(slug):
        raise InvalidInput(
            "the short name is 3 to 64 lowercase letters, digits and dashes "
            "(it appears in the chat links, like /connect/acme)",
            field="org_slug",
        )
    return slug


async def do_set_up_desk(
    uow: UnitOfWork, plan: DeskPlan, actor: Actor, *, password_min_chars: int
) -> Desk:
    slug = check_slug(plan.org_slug)
    name = clean_text(plan.org_name, field="org_name", max_chars=200, multiline=False)
    check_password(plan.admin_password, password_min_chars)
    org = await organizations.create_organization(uow, slug, name)
    await audit(uow, org.id, actor, "organization.create", ("organization", org.id), {"slug": slug})
    team_view = await do_create_team(
        uow, org.id, actor, TeamDraft(plan.team_name, plan.hours, plan.timezone, ())
    )
    admin = await do_add_agent(
        uow,
        org.id,
        actor,
        email=plan.admin_email,
        name=plan.admin_name,
        role=Role.ADMIN,
        team_ids=(team_view.team.id,),
        password=plan.admin_password,
    )
    return Desk(org, admin, team_view.team)


async def setup_open(uow: UnitOfWork) -> bool:
    """The first-run page works only while there is no organization at all."""
    return await uow.people.count_organizations() == 0


async def first_run(
    uow: UnitOfWork, plan: DeskPlan, actor: Actor, *, password_min_chars: int
) -> Desk:
    if not await setup_open(uow):
        raise Conflict("this server is set up already; sign in at /console")
    return await do_set_up_desk(uow, plan, actor, password_min_chars=password_min_chars)
