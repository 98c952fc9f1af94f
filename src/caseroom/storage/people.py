"""Writes an admin makes to the directory: agents' roles, status and passwords,
teams and their members, and the credentials that belong to an agent."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from caseroom.domain.model import Role, Team
from caseroom.storage import tables as t

_a = t.agents.c
_m = t.team_members.c
_cr = t.credentials.c


class PeopleRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def email_taken(self, org_id: str, email: str) -> bool:
        query = select(_a.id).where(_a.org_id == org_id, _a.email == email)
        return (await self._conn.execute(query)).first() is not None

    async def update_agent(
        self, org_id: str, agent_id: str, *, name: str, role: Role, active: bool
    ) -> None:
        await self._conn.execute(
            update(t.agents)
            .where(_a.org_id == org_id, _a.id == agent_id)
            .values(name=name, role=role.value, active=active)
        )

    async def set_password_hash(self, org_id: str, agent_id: str, password_hash: str) -> None:
        await self._conn.execute(
            update(t.agents)
            .where(_a.org_id == org_id, _a.id == agent_id)
            .values(password_hash=password_hash)
        )

    async def with_password(self, org_id: str) -> frozenset[str]:
        """Ids of the agents who have set a password."""
        query = select(_a.id).where(_a.org_id == org_id, _a.password_hash.is_not(None))
        return frozenset((await self._conn.execute(query)).scalars())

    async def count_active_admins(self, org_id: str) -> int:
        query = select(func.count()).where(
            _a.org_id == org_id, _a.role == Role.ADMIN.value, _a.active.is_(True)
        )
        return int((await self._conn.execute(query)).scalar_one())

    async def set_agent_teams(self, org_id: str, agent_id: str, team_ids: tuple[str, ...]) -> None:
        await self._conn.execute(
            delete(t.team_members).where(_m.org_id == org_id, _m.agent_id == agent_id)
        )
        for team_id in team_ids:
            await self._conn.execute(
                insert(t.team_members).values(org_id=org_id, team_id=team_id, agent_id=agent_id)
            )

    async def team_members(self, org_id: str, team_id: str) -> tuple[str, ...]:
        query = select(_m.agent_id).where(_m.org_id == org_id, _m.team_id == team_id)
        return tuple(sorted((await self._conn.execute(query)).scalars()))

    async def set_team_members(self, org_id: str, team_id: str, agent_ids: tuple[str, ...]) -> None:
        await self._conn.execute(
            delete(t.team_members).where(_m.org_id == org_id, _m.team_id == team_id)
        )
        for agent_id in agent_ids:
            await self._conn.execute(
                insert(t.team_members).values(org_id=org_id, team_id=team_id, agent_id=agent_id)
            )

    async def update_team(self, team: Team) -> None:
        await self._conn.execute(
            update(t.teams)
            .where(t.teams.c.org_id == team.org_id, t.teams.c.id == team.id)
            .values(name=team.name, hours=team.hours, timezone=team.timezone)
        )

    async def team_name_taken(self, org_id: str, name: str, *, other_than: str | None) -> bool:
        c = t.teams.c
        query = select(c.id).where(c.org_id == org_id, func.lower(c.name) == name.lower())
        if other_than:
            query = query.where(c.id != other_than)
        return (await self._conn.execute(query)).first() is not None

    async def revoke_credentials(
        self, org_id: str, subject_id: str, kinds: tuple[str, ...], now: datetime
    ) -> int:
        """Revoke every live credential of these kinds held by `subject_id`."""
        result = await self._conn.execute(
            update(t.credentials)
            .where(
                _cr.org_id == org_id,
                _cr.subject_id == subject_id,
                _cr.kind.in_(kinds),
                _cr.revoked_at.is_(None),
            )
            .values(revoked_at=now)
        )
        return int(result.rowcount or 0)

    async def count_organizations(self) -> int:
        query = select(func.count()).select_from(t.organizations)
        return int((await self._conn.execute(query)).scalar_one())

    async def organizations_overview(self) -> list[tuple[str, str, str, int]]:
        """(slug, name, id, active agents) of every organization, for operators."""
        o = t.organizations.c
        agents = (
            select(func.count()).where(_a.org_id == o.id, _a.active.is_(True)).scalar_subquery()
        )
        query = select(o.slug, o.name, o.id, agents).order_by(o.slug)
        return [(r[0], r[1], r[2], int(r[3])) for r in (await self._conn.execute(query)).all()]
