"""Repositories for the directory: organizations, agents, teams, customers, credentials."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import and_, bindparam, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from caseroom.domain.model import Agent, Customer, Organization, Team
from caseroom.domain.records import Credential
from caseroom.storage import tables as t
from caseroom.storage.mappers import to_agent, to_customer, to_organization, to_team
from caseroom.storage.search_index import SearchIndex

# The statements every authenticated request runs, built once (see issues.py).
_cr = t.credentials.c
_ACTIVE_BY_HASH = select(t.credentials).where(
    _cr.token_hash == bindparam("token_hash"),
    _cr.revoked_at.is_(None),
    or_(_cr.expires_at.is_(None), _cr.expires_at > bindparam("now")),
)
_GRANTED = select(t.customer_grants.c.issue_id).where(
    t.customer_grants.c.org_id == bindparam("org_id"),
    t.customer_grants.c.credential_id == bindparam("credential_id"),
)
_CUSTOMER = select(t.customers).where(
    t.customers.c.org_id == bindparam("org_id"), t.customers.c.id == bindparam("customer_id")
)
_AGENT = select(t.agents).where(
    t.agents.c.org_id == bindparam("org_id"), t.agents.c.id == bindparam("agent_id")
)
_TEAM_IDS = select(t.team_members.c.team_id).where(
    t.team_members.c.agent_id == bindparam("agent_id")
)


class OrganizationRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def add(self, org: Organization, now: datetime) -> None:
        await self._conn.execute(
            insert(t.organizations).values(
                id=org.id,
                slug=org.slug,
                name=org.name,
                max_open_issues_per_agent=org.max_open_issues_per_agent,
                created_at=now,
            )
        )

    async def get(self, org_id: str) -> Organization | None:
        row = (
            await self._conn.execute(select(t.organizations).where(t.organizations.c.id == org_id))
        ).first()
        return to_organization(row) if row else None

    async def set_claim_on_reply(self, org_id: str, enabled: bool) -> None:
        await self._conn.execute(
            update(t.organizations)
            .where(t.organizations.c.id == org_id)
            .values(claim_on_reply=enabled)
        )

    async def by_slug(self, slug: str) -> Organization | None:
        query = select(t.organizations).where(t.organizations.c.slug == slug)
        row = (await self._conn.execute(query)).first()
        return to_organization(row) if row else None


class AgentRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def add(self, agent: Agent, password_hash: str | None, now: datetime) -> None:
        await self._conn.execute(
            insert(t.agents).values(
                id=agent.id,
                org_id=agent.org_id,
                email=agent.email,
                name=agent.name,
                role=agent.role.value,
                password_hash=password_hash,
                active=agent.active,
                created_at=now,
            )
        )

    async def _team_ids(self, agent_id: str) -> tuple[str, ...]:
        rows = await self._conn.execute(_TEAM_IDS, {"agent_id": agent_id})
        return tuple(sorted(rows.scalars()))

    async def _team_ids_of(self, agent_ids: list[str]) -> dict[str, tuple[str, ...]]:
        """Team ids of many agents in one query."""
        found: dict[str, list[str]] = {agent_id: [] for agent_id in agent_ids}
        if agent_ids:
            m = t.team_members.c
            query = select(m.agent_id, m.team_id).where(m.agent_id.in_(agent_ids))
            for agent_id, team_id in (await self._conn.execute(query)).all():
                found[agent_id].append(team_id)
        return {agent_id: tuple(sorted(teams)) for agent_id, teams in found.items()}

    async def get(self, org_id: str, agent_id: str) -> Agent | None:
        row = (await self._conn.execute(_AGENT, {"org_id": org_id, "agent_id": agent_id})).first()
        return to_agent(row, await self._team_ids(row.id)) if row else None

    async def with_password_by_email(self, email: str) -> list[tuple[Agent, str | None]]:
        """Every active agent with this email, across organizations (for sign-in)."""
        query = select(t.agents).where(t.agents.c.email == email, t.agents.c.active.is_(True))
        rows = (await self._conn.execute(query)).all()
        return [(to_agent(r, await self._team_ids(r.id)), r.password_hash) for r in rows]

    async def set_locale(self, org_id: str, agent_id: str, locale: str | None) -> None:
        a = t.agents.c
        await self._conn.execute(
            update(t.agents).where(a.org_id == org_id, a.id == agent_id).values(locale=locale)
        )

    async def list(self, org_id: str) -> list[Agent]:
        query = select(t.agents).where(t.agents.c.org_id == org_id).order_by(t.agents.c.name)
        rows = (await self._conn.execute(query)).all()
        teams = await self._team_ids_of([r.id for r in rows])
        return [to_agent(r, teams[r.id]) for r in rows]


class TeamRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def add(self, team: Team) -> None:
        await self._conn.execute(
            insert(t.teams).values(
                id=team.id,
                org_id=team.org_id,
                name=team.name,
                hours=team.hours,
                timezone=team.timezone,
            )
        )

    async def add_member(self, org_id: str, team_id: str, agent_id: str) -> None:
        await self._conn.execute(
            insert(t.team_members).values(org_id=org_id, team_id=team_id, agent_id=agent_id)
        )

    async def get(self, org_id: str, team_id: str) -> Team | None:
        query = select(t.teams).where(t.teams.c.org_id == org_id, t.teams.c.id == team_id)
        row = (await self._conn.execute(query)).first()
        return to_team(row) if row else None

    async def list(self, org_id: str) -> list[Team]:
        query = select(t.teams).where(t.teams.c.org_id == org_id).order_by(t.teams.c.name)
        return [to_team(r) for r in (await self._conn.execute(query)).all()]


class CustomerRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def add(self, customer: Customer, now: datetime) -> None:
        await self._conn.execute(
            insert(t.customers).values(
                id=customer.id,
                org_id=customer.org_id,
                name=customer.name,
                email=customer.email,
                phone=customer.phone,
                external_id=customer.external_id,
                created_at=now,
            )
        )

    async def get(self, org_id: str, customer_id: str) -> Customer | None:
        params = {"org_id": org_id, "customer_id": customer_id}
        row = (await self._conn.execute(_CUSTOMER, params)).first()
        return to_customer(row) if row else None

    async def matching(
        self, org_id: str, email: str | None, phone: str | None, external_id: str | None
    ) -> list[Customer]:
        """Customers sharing any of the identifiers, strongest identifier first."""
        c = t.customers.c
        keys = [
            (c.external_id, external_id),
            (c.email, email),
            (c.phone, phone),
        ]
        conditions = [column == value for column, value in keys if value]
        if not conditions:
            return []
        query = select(t.customers).where(and_(c.org_id == org_id, or_(*conditions)))
        found = [to_customer(r) for r in (await self._conn.execute(query)).all()]

        def strength(customer: Customer) -> int:
            if external_id and customer.external_id == external_id:
                return 0
            return 1 if email and customer.email == email else 2

        return sorted(found, key=strength)

    async def update_contacts(self, customer: Customer) -> None:
        c = t.customers.c
        await self._conn.execute(
            update(t.customers)
            .where(c.org_id == customer.org_id, c.id == customer.id)
            .values(
                name=customer.name,
                email=customer.email,
                phone=customer.phone,
                external_id=customer.external_id,
            )
        )
        await SearchIndex(self._conn).update_customer(customer.org_id, customer.id)


class CredentialRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def add(self, credential: Credential, token_hash: str) -> None:
        await self._conn.execute(
            insert(t.credentials).values(
                id=credential.id,
                org_id=credential.org_id,
                kind=credential.kind,
                subject_id=credential.subject_id,
                all_issues=credential.all_issues,
                token_hash=token_hash,
                name=credential.name,
                created_at=credential.created_at,
                expires_at=credential.expires_at,
            )
        )

    async def active_by_hash(self, token_hash: str, now: datetime) -> Credential | None:
        params = {"token_hash": token_hash, "now": now}
        row = (await self._conn.execute(_ACTIVE_BY_HASH, params)).first()
        return _credential(row) if row else None

    async def list(self, org_id: str, kind: str) -> list[Credential]:
        c = t.credentials.c
        query = (
            select(t.credentials)
            .where(c.org_id == org_id, c.kind == kind, c.revoked_at.is_(None))
            .order_by(c.id)
        )
        return [_credential(r) for r in (await self._conn.execute(query)).all()]

    async def revoke(self, org_id: str, credential_id: str, kind: str, now: datetime) -> bool:
        c = t.credentials.c
        result = await self._conn.execute(
            update(t.credentials)
            .where(
                c.org_id == org_id,
                c.id == credential_id,
                c.kind == kind,
                c.revoked_at.is_(None),
            )
            .values(revoked_at=now)
        )
        return bool(result.rowcount)

    async def grant_issue(self, org_id: str, credential_id: str, issue_id: str) -> None:
        await self._conn.execute(
            insert(t.customer_grants).values(
                org_id=org_id, credential_id=credential_id, issue_id=issue_id
            )
        )

    async def granted_issues(self, org_id: str, credential_id: str) -> frozenset[str]:
        rows = await self._conn.execute(
            _GRANTED, {"org_id": org_id, "credential_id": credential_id}
        )
        return frozenset(rows.scalars())

    async def revoke_by_hash(self, token_hash: str, now: datetime) -> None:
        c = t.credentials.c
        await self._conn.execute(
            update(t.credentials).where(c.token_hash == token_hash).values(revoked_at=now)
        )


def _credential(row: Any) -> Credential:
    return Credential(
        row.id,
        row.org_id,
        row.kind,
        row.subject_id,
        row.all_issues,
        row.name,
        row.created_at,
        row.expires_at,
        row.revoked_at,
    )
