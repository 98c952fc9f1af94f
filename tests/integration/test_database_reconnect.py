"""Connections PostgreSQL closed (a restart, a failover, an administrator) cost
no request: the pool replaces a connection the server has closed before handing
it out."""

from __future__ import annotations

import asyncio

import asyncpg
import httpx
import pytest
from sqlalchemy import text

from caseroom.storage.uow import Database, UnitOfWork
from tests.builders import make_org, send, start_chat


@pytest.fixture
def database_url(postgres_url: str) -> str:
    return postgres_url


async def _close_every_connection(database_url: str) -> None:
    """What a server restart does to the application's pooled connections: each
    backend ends, and its client reads the end of the connection."""
    conn = await asyncpg.connect(database_url.replace("postgresql+asyncpg://", "postgresql://"))
    others = "datname = current_database() AND pid <> pg_backend_pid()"
    try:
        ended = await conn.fetch(
            f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE {others}"
        )
        assert ended, "no connection to close"
        for _ in range(100):
            if not await conn.fetchval(f"SELECT count(*) FROM pg_stat_activity WHERE {others}"):
                break
            await asyncio.sleep(0.02)
    finally:
        await conn.close()
    await asyncio.sleep(0.05)  # the clients' turn to read the end of their sockets


async def _backend(uow: UnitOfWork) -> int:
    return int((await uow.connection.execute(text("SELECT pg_backend_pid()"))).scalar_one())


async def test_a_write_and_a_read_after_the_server_closed_every_connection(
    db: Database, database_url: str
) -> None:
    before = await db.run(_backend)
    await _close_every_connection(database_url)
    after = await db.run(_backend)
    assert after != before
    await _close_every_connection(database_url)
    assert await db.read(_backend) not in (before, after)


async def test_a_customer_sends_and_reads_after_the_server_closed_every_connection(
    client: httpx.AsyncClient, db: Database, database_url: str
) -> None:
    org = await make_org(db)
    chat = await start_chat(client, org, message="before")
    await _close_every_connection(database_url)
    sent = await send(client, chat.auth, chat.issue_id, body="after")
    assert sent.status_code == 201, sent.text

    await _close_every_connection(database_url)
    page = await client.get(
        f"/api/v1/issues/{chat.issue_id}/rooms/public/messages", headers=chat.auth
    )
    assert page.status_code == 200, page.text
    assert [m["body"] for m in page.json()["items"]] == ["before", "after"]
