"""Builders: objects with sensible defaults, so a test states only what matters to it."""

from __future__ import annotations

import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx

from caseroom.domain.identity import sign_identity_token
from caseroom.domain.model import (
    Agent,
    AgentPrincipal,
    AuthorKind,
    Channel,
    Organization,
    Role,
    Room,
    Team,
)
from caseroom.services import auth, messages, organizations
from caseroom.storage.database import create_engine
from caseroom.storage.uow import Database, UnitOfWork
from tests.components import unique

PASSWORD = "correct horse battery"


@dataclass
class Org:
    org: Organization
    admin: Agent
    ana: Agent
    ben: Agent
    team: Team
    tokens: dict[str, str] = field(default_factory=dict)

    @property
    def slug(self) -> str:
        return self.org.slug

    def auth(self, agent: Agent) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[agent.id]}"}

    def principal(self, agent: Agent) -> AgentPrincipal:
        return AgentPrincipal(self.org.id, agent)


async def make_org(
    db: Database,
    *,
    cap: int | None = None,
    name: str | None = None,
    people_names: tuple[str, str, str] = ("Alex Admin", "Ana Agent", "Ben Agent"),
) -> Org:
    """An organization with an admin and two agents (Ana, Ben) in one team, each
    with an API token. `name` is what its Customers see (a unique one by default);
    `people_names` renames the admin, Ana and Ben."""
    slug = unique("org-")
    org_name = name or f"Org {slug}"

    async def work(uow: UnitOfWork) -> Org:
        org = await organizations.create_organization(
            uow, slug, org_name, max_open_issues_per_agent=cap
        )
        people = []
        roles = (Role.ADMIN, Role.AGENT, Role.AGENT)
        for person, role in zip(people_names, roles, strict=True):
            email = f"{person.split()[0].lower()}@{slug}.example"
            people.append(
                await organizations.add_agent(
                    uow, org, email=email, name=person, password=PASSWORD, role=role
                )
            )
        team = await organizations.add_team(uow, org, "Support", members=people)
        admin, ana, ben = (
            Agent(a.id, a.org_id, a.email, a.name, a.role, a.active, (team.id,)) for a in people
        )
        built = Org(org, admin, ana, ben, team)
        for agent in (admin, ana, ben):
            issued = await auth.issue_token(
                uow, org_id=org.id, kind=auth.API, subject_id=agent.id, now=auth.utcnow(), ttl=None
            )
            built.tokens[agent.id] = issued.token
        return built

    return await db.run(work)


def key() -> str:
    return uuid.uuid4().hex


@dataclass
class Chat:
    """A conversation a Customer started through the API."""

    issue_id: str
    customer_id: str
    token: str
    first_message: dict[str, Any]

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


async def start_chat(
    client: httpx.AsyncClient,
    org: Org,
    *,
    name: str = "Casey Customer",
    email: str | None = None,
    message: str = "Hello, I need help with my order.",
) -> Chat:
    response = await client.post(
        f"/api/v1/organizations/{org.slug}/conversations",
        json={"name": name, "email": email or f"{key()[:8]}@customer.example", "message": message},
    )
    assert response.status_code == 201, response.text
    data = response.json()
    return Chat(data["issue"]["id"], data["customer_id"], data["customer_token"], data["message"])


async def send(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    issue_id: str,
    room: str = "public",
    body: str = "hello",
    kind: str = "message",
    idempotency_key: str | None = None,
) -> httpx.Response:
    return await client.post(
        f"/api/v1/issues/{issue_id}/rooms/{room}/messages",
        json={"body": body, "kind": kind, "idempotency_key": idempotency_key or key()},
        headers=headers,
    )


# Written by the job worker on its own schedule, for whichever organization's
# resolution it picks up next (other tests share the database): not evidence of
# what one request wrote.
BACKGROUND_TABLES = frozenset({"transcripts"})


async def row_counts(db: Database) -> dict[str, int]:
    """How many rows each table holds: compared before and after a refused request."""
    from sqlalchemy import func, select

    from caseroom.storage.tables import metadata

    async def work(uow: UnitOfWork) -> dict[str, int]:
        conn = uow.connection
        counts = {}
        for table in metadata.sorted_tables:
            if table.name in BACKGROUND_TABLES:
                continue
            counts[table.name] = (
                await conn.execute(select(func.count()).select_from(table))
            ).scalar_one()
        return counts

    return await db.read(work)


async def deactivate(db: Database, agent: Agent) -> None:
    """Switch an agent off (no use case does this yet)."""
    from sqlalchemy import update

    from caseroom.storage.tables import agents

    async def work(uow: UnitOfWork) -> None:
        await uow.connection.execute(
            update(agents).where(agents.c.id == agent.id).values(active=False)
        )

    await db.run(work)


async def note(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    issue_id: str,
    body: str,
    room: str = "private",
) -> dict[str, Any]:
    """Post a log note and return it."""
    response = await send(client, headers, issue_id, room=room, body=body, kind="note")
    assert response.status_code == 201, response.text
    data: dict[str, Any] = response.json()
    return data


async def identity_secret(client: httpx.AsyncClient, org: Org) -> str:
    """Create (or rotate) the organization's identity secret as its admin."""
    response = await client.post(
        "/api/v1/settings/widget/identity-secret", headers=org.auth(org.admin)
    )
    assert response.status_code == 200, response.text
    return str(response.json()["secret"])


def identity_token(secret: str, *, lifetime: int = 600, **claims: Any) -> str:
    """What a host app signs for a Customer it has signed in."""
    now = int(time.time())
    body: dict[str, Any] = {
        "external_id": "app-user-1",
        "name": "Kim Lee",
        "iat": now,
        "exp": now + lifetime,
        **claims,
    }
    return sign_identity_token({k: v for k, v in body.items() if v is not None}, secret)


async def upload(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    issue_id: str,
    files: list[tuple[str, bytes]] | None = None,
    *,
    room: str = "public",
    body: str = "",
    kind: str = "message",
    claimed_type: str = "application/octet-stream",
    idempotency_key: str | None = None,
    channel: str | None = None,
) -> httpx.Response:
    """Send a message with files (multipart) the way a browser would."""
    parts = [("files", (name, data, claimed_type)) for name, data in (files or [])]
    fields = {"body": body, "kind": kind, "idempotency_key": idempotency_key or key()}
    return await client.post(
        f"/api/v1/issues/{issue_id}/rooms/{room}/attachments",
        data=fields | ({"channel": channel} if channel else {}),
        files=parts,
        headers=headers,
    )


async def claim_and_resolve(client: httpx.AsyncClient, org: Org, issue_id: str) -> None:
    """Claim (if needed) and resolve as Ana, then wait until the worker has filed
    the resolution's transcripts."""
    issue = (await client.get(f"/api/v1/issues/{issue_id}", headers=org.auth(org.ana))).json()
    if issue["status"] == "unclaimed":
        claimed = await client.post(f"/api/v1/issues/{issue_id}/claim", headers=org.auth(org.ana))
        assert claimed.status_code == 200, claimed.text
    resolved = await client.post(f"/api/v1/issues/{issue_id}/resolve", headers=org.auth(org.ana))
    assert resolved.status_code == 200, resolved.text
    await settle(client)


async def settle(client: httpx.AsyncClient) -> None:
    """Wait until the app's job worker has run every job enqueued so far."""
    await client.app.state.context.worker.settle()  # type: ignore[attr-defined]


async def post_as_bot(db: Database, org: Org, issue_id: str, text: str) -> None:
    """A message from the welcome bot in the public room (as the bots will write it)."""

    async def work(uow: UnitOfWork) -> None:
        issue = await uow.issues.get(org.org.id, issue_id, for_update=True)
        assert issue is not None
        await messages.append_message(
            uow,
            issue,
            messages.NewMessage(room=Room.PUBLIC, body=text, channel=Channel.BOT),
            author_kind=AuthorKind.BOT,
            author_id=None,
            author_name="Welcome bot",
            sender=None,
            now=auth.utcnow(),
        )

    await db.run(work)


async def post_system_event(
    db: Database, org: Org, issue_id: str, text: str, room: Room = Room.PUBLIC
) -> None:
    async def work(uow: UnitOfWork) -> None:
        issue = await uow.issues.get(org.org.id, issue_id, for_update=True)
        assert issue is not None
        await messages.post_system_event(uow, issue, room, text)

    await db.run(work)


async def redact(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    issue_id: str,
    message_id: str,
    secrets: list[str] | None = None,
) -> dict[str, Any]:
    """Redact a message (the organization's patterns, plus `secrets`) and return it."""
    response = await client.post(
        f"/api/v1/issues/{issue_id}/messages/{message_id}/redact",
        json={"secrets": secrets or []},
        headers=headers,
    )
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()
    return data


async def _announce_nothing(events: object) -> None:
    """Fixtures written straight to a database have nobody listening."""


@asynccontextmanager
async def open_database(database_url: str) -> AsyncIterator[Database]:
    """Direct access to a database (a server's, or a test's own), for fixtures."""
    engine = create_engine(database_url)
    try:
        yield Database(engine, _announce_nothing)
    finally:
        await engine.dispose()
