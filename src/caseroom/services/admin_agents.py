"""Admins manage the organization's agents: invite (a one-time link sets the
password), change name, role and teams, deactivate and reactivate.

Each use case is `check` then `do`: the `do_` functions take an audit Actor
instead of a principal, so the operator's `caseroom` command runs the same code."""

from __future__ import annotations

import asyncio
import dataclasses
from dataclasses import dataclass
from datetime import timedelta

from caseroom.domain import events
from caseroom.domain.audit import Actor, ActorKind, agent_actor
from caseroom.domain.errors import Conflict, InvalidInput, NotAuthenticated, NotFound
from caseroom.domain.ids import new_id
from caseroom.domain.model import Agent, AgentPrincipal, Issue, Principal, Queue, Role
from caseroom.domain.status import Action
from caseroom.domain.text import clean_text, normalize_email
from caseroom.services.audit import audit
from caseroom.services.auth import SESSION, hash_password, issue_token, token_hash
from caseroom.services.common import require_admin, utcnow
from caseroom.services.issues import apply_transition
from caseroom.storage.uow import UnitOfWork

INVITE = "invite"  # a credential that only sets a password, once


@dataclass(frozen=True, slots=True)
class Invited:
    agent: Agent
    token: str  # goes in the link; only its hash is stored


@dataclass(frozen=True, slots=True)
class AgentChanges:
    name: str | None = None
    role: Role | None = None
    team_ids: tuple[str, ...] | None = None


@dataclass(frozen=True, slots=True)
class Deactivated:
    agent: Agent
    released: list[Issue]  # their open Issues, back in the team queue
    sessions_revoked: int


def check_password(password: str, min_chars: int) -> str:
    if len(password) < min_chars:
        raise InvalidInput(
            f"the password needs at least {min_chars} characters", field="password", limit=min_chars
        )
    if len(password) > 1024:
        raise InvalidInput("the password is longer than 1024 characters", field="password")
    return password


async def access_agent(uow: UnitOfWork, org_id: str, agent_id: str) -> Agent:
    agent = await uow.agents.get(org_id, agent_id)
    if agent is None:
        raise NotFound("no such agent")
    return agent


async def _check_teams(uow: UnitOfWork, org_id: str, team_ids: tuple[str, ...]) -> tuple[str, ...]:
    for team_id in team_ids:
        if await uow.teams.get(org_id, team_id) is None:
            raise NotFound("no such team", field="team_ids", team_id=team_id)
    return tuple(sorted(set(team_ids)))


async def do_add_agent(
    uow: UnitOfWork,
    org_id: str,
    actor: Actor,
    *,
    email: str,
    name: str,
    role: Role,
    team_ids: tuple[str, ...] = (),
    password: str | None = None,
) -> Agent:
    address = normalize_email(email)
    if address is None:
        raise InvalidInput("email must not be empty", field="email")
    if await uow.people.email_taken(org_id, address):
        raise Conflict(f"an agent with the email {address} exists already", field="email")
    teams = await _check_teams(uow, org_id, team_ids)
    clean_name = clean_text(name, field="name", max_chars=200, multiline=False)
    agent = Agent(new_id(), org_id, address, clean_name, role, True, teams)
    password_hash = await asyncio.to_thread(hash_password, password) if password else None
    await uow.agents.add(agent, password_hash, utcnow())
    await uow.people.set_agent_teams(org_id, agent.id, teams)
    detail = {"email": address, "name": clean_name, "role": role.value, "team_ids": list(teams)}
    await audit(uow, org_id, actor, "agent.add", ("agent", agent.id), detail)
    return agent


async def do_issue_invite(uow: UnitOfWork, agent: Agent, actor: Actor, ttl: timedelta) -> Invited:
    """A fresh one-time link for `agent`; links issued before stop working."""
    now = utcnow()
    await uow.people.revoke_credentials(agent.org_id, agent.id, (INVITE,), now)
    issued = await issue_token(
        uow, org_id=agent.org_id, kind=INVITE, subject_id=agent.id, now=now, ttl=ttl
    )
    detail = {"email": agent.email}
    await audit(uow, agent.org_id, actor, "agent.invite", ("agent", agent.id), detail)
    return Invited(agent, issued.token)


async def invite_agent(
    principal: Principal,
    uow: UnitOfWork,
    *,
    email: str,
    name: str,
    role: Role,
    team_ids: tuple[str, ...],
    ttl: timedelta,
) -> Invited:
    admin = require_admin(principal)
    agent = await do_add_agent(
        uow, admin.org_id, agent_actor(admin), email=email, name=name, role=role, team_ids=team_ids
    )
    return await do_issue_invite(uow, agent, agent_actor(admin), ttl)


async def reinvite_agent(
    principal: Principal, uow: UnitOfWork, agent_id: str, *, ttl: timedelta
) -> Invited:
    """A new link for an agent who lost theirs, or who must choose a new password."""
    admin = require_admin(principal)
    agent = await access_agent(uow, admin.org_id, agent_id)
    if not agent.active:
        raise Conflict("the agent is deactivated; reactivate them first")
    return await do_issue_invite(uow, agent, agent_actor(admin), ttl)


async def accept_invite(
    uow: UnitOfWork, token: str, password: str, *, min_chars: int, client_address: str | None
) -> Agent:
    """Set the password an invitation link was for; the link is used up."""
    check_password(password, min_chars)
    now = utcnow()
    credential = await uow.credentials.active_by_hash(token_hash(token), now)
    if credential is None or credential.kind != INVITE:
        raise NotAuthenticated("this link is unknown, used already or expired")
    agent = await uow.agents.get(credential.org_id, credential.subject_id)
    if agent is None or not agent.active:
        raise NotAuthenticated("this link is unknown, used already or expired")
    await uow.credentials.revoke(agent.org_id, credential.id, INVITE, now)
    await _set_password(uow, agent, password)
    actor = Actor(ActorKind.AGENT, agent.id, agent.name, client_address)
    await audit(uow, agent.org_id, actor, "agent.set_password", ("agent", agent.id))
    return agent


async def _set_password(uow: UnitOfWork, agent: Agent, password: str) -> None:
    password_hash = await asyncio.to_thread(hash_password, password)
    await uow.people.set_password_hash(agent.org_id, agent.id, password_hash)
    await uow.people.revoke_credentials(agent.org_id, agent.id, (SESSION,), utcnow())
    uow.emit(events.session_ended(agent.org_id, agent.id, "password changed"))


async def do_reset_password(
    uow: UnitOfWork, agent: Agent, actor: Actor, password: str, *, min_chars: int
) -> None:
    """The operator's way back in for a locked-out admin: every session ends."""
    check_password(password, min_chars)
    await _set_password(uow, agent, password)
    await audit(uow, agent.org_id, actor, "agent.reset_password", ("agent", agent.id))


async def _check_admins_remain(uow: UnitOfWork, agent: Agent) -> None:
    last = agent.role is Role.ADMIN and agent.active
    if last and await uow.people.count_active_admins(agent.org_id) <= 1:
        raise Conflict("this is the organization's last active admin; make another first")


async def change_agent(
    principal: Principal, uow: UnitOfWork, agent_id: str, changes: AgentChanges
) -> Agent:
    admin = require_admin(principal)
    agent = await access_agent(uow, admin.org_id, agent_id)
    if changes.role is not None and changes.role is not agent.role:
        await _check_admins_remain(uow, agent)
    name = (
        clean_text(changes.name, field="name", max_chars=200, multiline=False)
        if changes.name is not None
        else agent.name
    )
    teams = (
        await _check_teams(uow, admin.org_id, changes.team_ids)
        if changes.team_ids is not None
        else agent.team_ids
    )
    changed = dataclasses.replace(agent, name=name, role=changes.role or agent.role, team_ids=teams)
    await uow.people.update_agent(
        admin.org_id, agent.id, name=changed.name, role=changed.role, active=changed.active
    )
    if teams != agent.team_ids:
        await uow.people.set_agent_teams(admin.org_id, agent.id, teams)
    detail: dict[str, object] = {
        key: _wire(getattr(changed, key))
        for key in ("name", "role", "team_ids")
        if getattr(changed, key) != getattr(agent, key)
    }
    if changed.role is not agent.role:
        # A session is rotated with its rights: the agent signs in again under the new role.
        detail["sessions_revoked"] = await uow.people.revoke_credentials(
            admin.org_id, agent.id, (SESSION,), utcnow()
        )
    await audit(uow, admin.org_id, admin, "agent.update", ("agent", agent.id), detail)
    return changed


def _wire(value: object) -> object:
    if isinstance(value, Role):
        return value.value
    return list(value) if isinstance(value, tuple) else value


async def do_deactivate_agent(
    uow: UnitOfWork, agent: Agent, actor: Actor, by: AgentPrincipal | None
) -> Deactivated:
    if not agent.active:
        return Deactivated(agent, [], 0)
    await _check_admins_remain(uow, agent)
    now = utcnow()
    await uow.people.update_agent(
        agent.org_id, agent.id, name=agent.name, role=agent.role, active=False
    )
    revoked = await uow.people.revoke_credentials(agent.org_id, agent.id, (SESSION,), now)
    await uow.people.revoke_credentials(agent.org_id, agent.id, (INVITE,), now)
    released = await _release_open_issues(uow, agent, by)
    uow.emit(events.session_ended(agent.org_id, agent.id, "deactivated"))
    detail = {"released_issue_ids": [i.id for i in released], "sessions_revoked": revoked}
    await audit(uow, agent.org_id, actor, "agent.deactivate", ("agent", agent.id), detail)
    return Deactivated(dataclasses.replace(agent, active=False), released, revoked)


async def _release_open_issues(
    uow: UnitOfWork, agent: Agent, by: AgentPrincipal | None
) -> list[Issue]:
    """Every open Issue the agent owns goes back to its team's queue unclaimed (to
    the agent's first team if it had none)."""
    owned: list[Issue] = []
    cursor = None
    while True:
        page = await uow.issues.queue(
            agent.org_id, Queue.MINE, agent_id=agent.id, team_ids=(), cursor=cursor, limit=200
        )
        owned.extend(page)
        if len(page) < 200:
            break
        cursor = page[-1].id
    released = []
    fallback_team = agent.team_ids[0] if agent.team_ids else None
    for listed in owned:
        issue = await uow.issues.get(agent.org_id, listed.id, for_update=True)
        if issue is None or issue.owner_agent_id != agent.id:
            continue
        released.append(
            await apply_transition(
                uow,
                by,
                issue,
                Action.ASSIGN,
                now=utcnow(),
                owner_agent_id=None,
                team_id=issue.team_id or fallback_team,
            )
        )
    return released


async def deactivate_agent(principal: Principal, uow: UnitOfWork, agent_id: str) -> Deactivated:
    admin = require_admin(principal)
    agent = await access_agent(uow, admin.org_id, agent_id)
    if agent.id == admin.agent.id:
        raise Conflict("an admin cannot deactivate themselves")
    return await do_deactivate_agent(uow, agent, agent_actor(admin), admin)


async def do_reactivate_agent(uow: UnitOfWork, agent: Agent, actor: Actor) -> Agent:
    if agent.active:
        return agent
    await uow.people.update_agent(
        agent.org_id, agent.id, name=agent.name, role=agent.role, active=True
    )
    await audit(uow, agent.org_id, actor, "agent.reactivate", ("agent", agent.id))
    return dataclasses.replace(agent, active=True)


async def reactivate_agent(principal: Principal, uow: UnitOfWork, agent_id: str) -> Agent:
    """Back in the organization; they sign in again with their password (a new
    invitation link if they never set one)."""
    admin = require_admin(principal)
    agent = await access_agent(uow, admin.org_id, agent_id)
    return await do_reactivate_agent(uow, agent, agent_actor(admin))


@dataclass(frozen=True, slots=True)
class AgentRow:
    agent: Agent
    invited: bool  # has not set a password yet


async def list_all_agents(principal: Principal, uow: UnitOfWork) -> list[AgentRow]:
    """Every agent, deactivated ones included (the directory lists active ones)."""
    admin = require_admin(principal)
    agents = await uow.agents.list(admin.org_id)
    with_password = await uow.people.with_password(admin.org_id)
    return [AgentRow(a, a.id not in with_password) for a in agents]
