"""Statements run straight through the driver (storage/driver_path.py: sqlite3's
cursor, asyncpg's connection) behave as SQLAlchemy's own: inside the caller's
transaction (which the first of them begins), converting values by the columns'
types, failing with SQLAlchemy's errors. On both databases."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest
from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError

from caseroom.storage import tables as t
from caseroom.storage.driver_path import DriverStatement
from caseroom.storage.uow import Database
from tests.builders import make_org, send, start_chat

_ENTRY = DriverStatement(insert(t.search_entries))


async def _entry(client: httpx.AsyncClient, db: Database, entry_id: int) -> dict[str, object]:
    org = await make_org(db)
    chat = await start_chat(client, org, message="hello")
    return {
        "id": entry_id,
        "org_id": org.org.id,
        "issue_id": chat.issue_id,
        "message_id": None,
        "room": None,
        "kind": None,
        "terms": "driver path",
    }


async def _count(db: Database, entry_id: int) -> int:
    async with db.engine.connect() as conn:
        query = select(func.count()).where(t.search_entries.c.id == entry_id)
        return int((await conn.execute(query)).scalar_one())


async def test_a_statement_outside_a_transaction_is_rolled_back_with_it(
    client: httpx.AsyncClient, db: Database
) -> None:
    entry = await _entry(client, db, 9_000_001)
    async with db.engine.connect() as conn:
        assert not conn.in_transaction()
        await _ENTRY.execute(conn, entry)
        await conn.rollback()
    # Run by the driver alone, it would have been committed on its own.
    assert await _count(db, 9_000_001) == 0


async def test_a_violated_constraint_raises_sqlalchemys_error_and_keeps_nothing(
    client: httpx.AsyncClient, db: Database
) -> None:
    entry = await _entry(client, db, 9_000_002)
    async with db.engine.connect() as conn:
        await conn.begin()
        await _ENTRY.execute(conn, entry)
        with pytest.raises(IntegrityError):
            await _ENTRY.execute(conn, entry)
        await conn.rollback()
    assert await _count(db, 9_000_002) == 0


async def test_values_are_converted_by_their_columns_types(
    client: httpx.AsyncClient, db: Database
) -> None:
    org = await make_org(db)
    chat = await start_chat(client, org, message="hello")
    sent = await send(client, chat.auth, chat.issue_id, body="through the driver")
    assert sent.status_code == 201, sent.text
    stored = sent.json()
    # Read back through SQLAlchemy: the time is the acknowledged one, aware UTC.
    url = f"/api/v1/issues/{chat.issue_id}/rooms/public/messages"
    page = await client.get(url, headers=chat.auth)
    [again] = [m for m in page.json()["items"] if m["id"] == stored["id"]]
    assert again["created_at"] == stored["created_at"]
    assert again["created_at"].endswith(("Z", "+00:00"))
    assert again["seq"] == stored["seq"] == 2


async def test_a_time_is_stored_as_sqlalchemy_stores_it(
    client: httpx.AsyncClient, db: Database
) -> None:
    org = await make_org(db)
    chat = await start_chat(client, org, message="hello")
    on_the_second = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)  # no microseconds
    row = {
        "id": "driverpathmessage1", "org_id": org.org.id, "issue_id": chat.issue_id,
        "room": "private", "seq": 99, "kind": "note", "channel": "chat",
        "author_kind": "agent", "author_id": org.ana.id, "author_name": "Ana",
        "body": "stored by the driver", "created_at": on_the_second,
    }  # fmt: skip
    async with db.engine.connect() as conn:
        await conn.begin()
        await DriverStatement(insert(t.messages)).execute(conn, row)
        await conn.commit()
    # Compared by SQLAlchemy, which writes the time in its own format.
    async with db.engine.connect() as conn:
        m = t.messages.c
        query = select(m.id).where(m.issue_id == chat.issue_id, m.created_at == on_the_second)
        assert list((await conn.execute(query)).scalars()) == ["driverpathmessage1"]
