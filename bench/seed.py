"""Data for the benchmark. The conversations under load are started through the
use cases, as a real Customer would; the large volumes (100,000 Issues, a room of
10,000 messages) are written in bulk, straight into the tables."""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Table, bindparam, insert, update
from sqlalchemy.ext.asyncio import AsyncConnection

from caseroom.domain.events import Event
from caseroom.domain.ids import new_id
from caseroom.domain.model import Agent, AgentPrincipal, IssueStatus, Organization
from caseroom.services import auth, conversations, organizations
from caseroom.services import issues as issues_service
from caseroom.storage import tables as t
from caseroom.storage.database import create_engine
from caseroom.storage.migrate import upgrade_async
from caseroom.storage.uow import Database, UnitOfWork

CHUNK = 5000  # rows per INSERT while seeding


async def _nowhere(_events: list[Event]) -> None:
    """Seeding happens before any server runs: nobody to tell."""


@dataclass
class Staff:
    org: Organization
    agents: list[Agent]
    tokens: list[str]  # an API token per agent
    team_id: str


async def _staff(db: Database, slug: str, agent_count: int) -> Staff:
    async def work(uow: UnitOfWork) -> Staff:
        org = await organizations.create_organization(uow, slug, f"Bench {slug}")
        agents = [
            await organizations.add_agent(
                uow, org, email=f"agent{i}@{slug}.example", name=f"Agent {i}", password=None
            )
            for i in range(agent_count)
        ]
        team = await organizations.add_team(uow, org, "Support", members=agents)
        tokens = []
        for agent in agents:
            issued = await auth.issue_token(
                uow, org_id=org.id, kind=auth.API, subject_id=agent.id, now=auth.utcnow(), ttl=None
            )
            tokens.append(issued.token)
        return Staff(org, agents, tokens, team.id)

    return await db.run(work)


async def conversations_under_load(url: str, issues: int, agents: int) -> list[dict[str, str]]:
    """An organization with `issues` conversations under way: each started by its
    own Customer and claimed by the agent who answers it (the load measures
    messages; an agent's first reply would claim the Issue instead, a one-time
    transition announced to every agent's inbox). Returns, per Issue, its id and
    the Customer's and that agent's token."""
    await upgrade_async(url)
    engine = create_engine(url)
    db = Database(engine, _nowhere)
    slug = f"load-{uuid.uuid4().hex[:8]}"
    staff = await _staff(db, slug, agents)
    members = []
    for i in range(issues):

        async def start(uow: UnitOfWork, i: int = i) -> conversations.Started:
            started = await conversations.start_conversation(
                uow,
                slug,
                conversations.Contact(name=f"Customer {i}", email=f"c{i}@{slug}.example"),
                subject=None,
                message="Hello, I need help with my order.",
                idempotency_key=None,
                token_ttl=timedelta(days=1),
                max_chars=20_000,
            )
            agent = AgentPrincipal(staff.org.id, staff.agents[i % agents])
            await issues_service.claim_issue(agent, uow, started.issue.id)
            return started

        started = await db.run(start)
        members.append(
            {
                "issue_id": started.issue.id,
                "customer": started.token.token,
                "agent": staff.tokens[i % agents],
            }
        )
    await engine.dispose()
    return members


@dataclass
class BigOrg:
    slug: str
    org_id: str
    agent_token: str
    history_issue_id: str
    history_messages: int
    issues: int
    messages_in_org: int


async def big_organization(url: str, issues: int, history: int, total: int) -> BigOrg:
    """An organization with `issues` Issues in every status (a third unclaimed in
    the agents' team, a third owned by one of ten agents, a third closed), one
    Issue whose public room holds `history` messages, and the other Issues sharing
    what is left of `total` messages (each Issue's latest is its inbox preview)."""
    engine = create_engine(url)
    db = Database(engine, _nowhere)
    slug = f"big-{uuid.uuid4().hex[:8]}"
    staff = await _staff(db, slug, 10)
    org_id, rng = staff.org.id, random.Random(7)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    customers, rows = [], []
    for i in range(issues):
        customer_id = new_id()
        customers.append(
            {
                "id": customer_id,
                "org_id": org_id,
                "name": f"Customer {i}",
                "email": f"c{i}@{slug}.example",
                "created_at": start,
            }
        )
        status = (IssueStatus.UNCLAIMED, IssueStatus.CLAIMED, IssueStatus.CLOSED)[i % 3]
        owner = staff.agents[rng.randrange(10)].id if status is not IssueStatus.UNCLAIMED else None
        created = start + timedelta(seconds=i)
        rows.append(
            {
                "id": new_id(),
                "org_id": org_id,
                "reference": f"{i:06d}",
                "subject": f"Question {i}",
                "status": status.value,
                "customer_id": customer_id,
                "source_channel": "chat",
                "owner_agent_id": owner,
                "team_id": staff.team_id,
                "tags": [],
                "created_at": created,
                "updated_at": created,
                "public_seq": 0,
                "private_seq": 0,
            }
        )
    history_issue = rows[1]  # claimed
    agent_id = staff.agents[0].id
    async with engine.begin() as conn:
        await _insert(conn, t.customers, customers)
        await _insert(conn, t.issues, rows)
        messages = [
            _public_message(
                history_issue,
                seq,
                ("customer", history_issue["customer_id"], "Customer 1")
                if seq % 2
                else ("agent", agent_id, "Agent 0"),
                f"message {seq}: " + "lorem ipsum dolor sit amet " * 4,
                start + timedelta(seconds=seq),
            )
            for seq in range(1, history + 1)
        ]
        await _insert(conn, t.messages, messages)
        others = [row for row in rows if row is not history_issue]
        each = max(total - history, 0) // max(len(others), 1)
        for chunk in range(0, len(others), CHUNK):
            await _conversations(conn, others[chunk : chunk + CHUNK], each, agent_id)
        await conn.execute(
            update(t.issues)
            .where(t.issues.c.id == history_issue["id"])
            .values(public_seq=history, owner_agent_id=staff.agents[0].id)
        )
    await engine.dispose()
    messages_in_org = history + each * len(others)
    return BigOrg(
        slug, org_id, staff.tokens[0], str(history_issue["id"]), history, issues, messages_in_org
    )


async def _conversations(
    conn: AsyncConnection, issues: list[dict[str, Any]], each: int, agent_id: str
) -> None:
    """`each` public messages in every one of `issues`, alternately the Customer's
    and an agent's, and the Issues' sequences and last activity to match."""
    if each == 0:
        return
    messages = [
        _public_message(
            issue,
            seq,
            ("customer", issue["customer_id"], "Customer")
            if seq % 2 == 1
            else ("agent", agent_id, "Agent"),
            f"message {seq} about {issue['subject']}",
            issue["created_at"] + timedelta(minutes=seq),
        )
        for issue in issues
        for seq in range(1, each + 1)
    ]
    await _insert(conn, t.messages, messages)
    i = t.issues.c
    await conn.execute(
        update(t.issues)
        .where(i.id == bindparam("issue_id"))
        .values(public_seq=each, last_message_at=bindparam("last")),
        [
            {"issue_id": issue["id"], "last": issue["created_at"] + timedelta(minutes=each)}
            for issue in issues
        ],
    )


def _public_message(
    issue: dict[str, Any], seq: int, author: tuple[str, str, str], body: str, at: datetime
) -> dict[str, Any]:
    """A row of `messages`: a chat message in the Issue's public room, by `author`
    (kind, id, name)."""
    kind, author_id, name = author
    return {
        "id": new_id(),
        "org_id": issue["org_id"],
        "issue_id": issue["id"],
        "room": "public",
        "seq": seq,
        "kind": "message",
        "channel": "chat",
        "author_kind": kind,
        "author_id": author_id,
        "author_name": name,
        "body": body,
        "created_at": at,
    }


async def _insert(conn: AsyncConnection, table: Table, rows: list[dict[str, Any]]) -> None:
    """Rows inserted CHUNK at a time: one statement per chunk, never one per row."""
    for at in range(0, len(rows), CHUNK):
        await conn.execute(insert(table), rows[at : at + CHUNK])
