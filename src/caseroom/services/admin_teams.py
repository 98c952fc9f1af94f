"""Admins manage teams: name, hours of operation, time zone and members."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from caseroom.domain.audit import Actor, agent_actor
from caseroom.domain.errors import Conflict, NotFound
from caseroom.domain.hours import check_timezone, normalize_hours
from caseroom.domain.ids import new_id
from caseroom.domain.model import Principal, Team
from caseroom.domain.text import clean_text
from caseroom.services.audit import audit
from caseroom.services.common import require_admin
from caseroom.storage.uow import UnitOfWork

UNSET = "\0unset"


@dataclass(frozen=True, slots=True)
class TeamDraft:
    name: str | None = None
    hours: str | None = UNSET  # None clears the hours
    timezone: str | None = None
    member_ids: tuple[str, ...] | None = None


@dataclass(frozen=True, slots=True)
class TeamView:
    team: Team
    member_ids: tuple[str, ...]


async def _check_members(
    uow: UnitOfWork, org_id: str, member_ids: tuple[str, ...]
) -> tuple[str, ...]:
    for agent_id in member_ids:
        if await uow.agents.get(org_id, agent_id) is None:
            raise NotFound("no such agent", field="member_ids", agent_id=agent_id)
    return tuple(sorted(set(member_ids)))


async def _check_name(uow: UnitOfWork, org_id: str, name: str, team_id: str | None) -> str:
    clean = clean_text(name, field="name", max_chars=200, multiline=False)
    if await uow.people.team_name_taken(org_id, clean, other_than=team_id):
        raise Conflict(f"a team named {clean!r} exists already", field="name")
    return clean


async def do_create_team(uow: UnitOfWork, org_id: str, actor: Actor, draft: TeamDraft) -> TeamView:
    name = await _check_name(uow, org_id, draft.name or "", None)
    hours = None if draft.hours == UNSET else normalize_hours(draft.hours)
    team = Team(new_id(), org_id, name, hours, check_timezone(draft.timezone or "UTC"))
    members = await _check_members(uow, org_id, draft.member_ids or ())
    await uow.teams.add(team)
    await uow.people.set_team_members(org_id, team.id, members)
    detail = {
        "name": team.name,
        "hours": team.hours,
        "timezone": team.timezone,
        "member_ids": list(members),
    }
    await audit(uow, org_id, actor, "team.create", ("team", team.id), detail)
    return TeamView(team, members)


async def create_team(principal: Principal, uow: UnitOfWork, draft: TeamDraft) -> TeamView:
    admin = require_admin(principal)
    return await do_create_team(uow, admin.org_id, agent_actor(admin), draft)


async def access_team(principal: Principal, uow: UnitOfWork, team_id: str) -> TeamView:
    admin = require_admin(principal)
    team = await uow.teams.get(admin.org_id, team_id)
    if team is None:
        raise NotFound("no such team")
    return TeamView(team, await uow.people.team_members(admin.org_id, team.id))


async def list_teams(principal: Principal, uow: UnitOfWork) -> list[TeamView]:
    admin = require_admin(principal)
    return [
        TeamView(team, await uow.people.team_members(admin.org_id, team.id))
        for team in await uow.teams.list(admin.org_id)
    ]


async def update_team(
    principal: Principal, uow: UnitOfWork, team_id: str, draft: TeamDraft
) -> TeamView:
    admin = require_admin(principal)
    current = await access_team(principal, uow, team_id)
    team = current.team
    name = team.name
    if draft.name is not None:
        name = await _check_name(uow, team.org_id, draft.name, team.id)
    changed = dataclasses.replace(
        team,
        name=name,
        hours=team.hours if draft.hours == UNSET else normalize_hours(draft.hours),
        timezone=team.timezone if draft.timezone is None else check_timezone(draft.timezone),
    )
    members = current.member_ids
    if draft.member_ids is not None:
        members = await _check_members(uow, team.org_id, draft.member_ids)
        if members != current.member_ids:
            await uow.people.set_team_members(team.org_id, team.id, members)
    if changed != team:
        await uow.people.update_team(changed)
    detail: dict[str, object] = {
        key: getattr(changed, key)
        for key in ("name", "hours", "timezone")
        if getattr(changed, key) != getattr(team, key)
    }
    if members != current.member_ids:
        detail["member_ids"] = list(members)
    await audit(uow, team.org_id, admin, "team.update", ("team", team.id), detail)
    return TeamView(changed, members)
