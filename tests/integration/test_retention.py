"""The retention setting: an Issue that ended and has not changed for longer than
it is deleted with everything that belongs to it (messages, files, transcripts,
activity), by the daily job; open Issues and recent ones stay."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import httpx
import pytest
import sqlalchemy as sa

from caseroom.app import create_app
from caseroom.config import Settings
from caseroom.services import retention
from caseroom.services.common import utcnow
from caseroom.storage import tables as t
from caseroom.storage.uow import Database, UnitOfWork
from tests.builders import claim_and_resolve, make_org, send, settle, start_chat, upload

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
async def keeping_30_days(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings.model_copy(update={"retention_days": 30}))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            http.app = app  # type: ignore[attr-defined]
            yield http


async def age(db: Database, issue_id: str, days: int) -> None:
    async def work(uow: UnitOfWork) -> None:
        await uow.connection.execute(
            sa.update(t.issues)
            .where(t.issues.c.id == issue_id)
            .values(updated_at=utcnow() - timedelta(days=days))
        )

    await db.run(work)


async def rows_of(db: Database, issue_id: str) -> dict[str, int]:
    async def work(uow: UnitOfWork) -> dict[str, int]:
        counts = {}
        for table in (t.messages, t.attachments, t.transcripts, t.activity, t.watchers):
            query = sa.select(sa.func.count()).where(table.c.issue_id == issue_id)
            counts[table.name] = int((await uow.connection.execute(query)).scalar_one())
        return counts

    return await db.read(work)


async def test_issues_that_ended_long_ago_are_purged_and_the_rest_stay(
    keeping_30_days: httpx.AsyncClient, db: Database, settings: Settings
) -> None:
    client = keeping_30_days
    org = await make_org(db)
    ana = org.auth(org.ana)
    old = await start_chat(client, org, message="An old question")
    await upload(client, old.auth, old.issue_id, [("photo.png", PNG)], body="photo")
    await send(client, ana, old.issue_id, body="An old answer")
    await claim_and_resolve(client, org, old.issue_id)
    recent = await start_chat(client, org, message="A recent question")
    await claim_and_resolve(client, org, recent.issue_id)
    still_open = await start_chat(client, org, message="Still waiting")
    for issue_id in (old.issue_id, still_open.issue_id):
        await age(db, issue_id, 45)
    assert all(await rows_of(db, old.issue_id))  # messages, files, transcripts...
    blobs = [p for p in settings.blob_root.rglob("*") if p.is_file()]

    async def today(uow: UnitOfWork) -> None:
        await retention.schedule_day(uow, utcnow())

    await db.run(today)
    await db.run(today)  # the same day again queues nothing more
    await settle(client)

    gone = await client.get(f"/api/v1/issues/{old.issue_id}", headers=ana)
    assert gone.status_code == 404
    assert await rows_of(db, old.issue_id) == dict.fromkeys(
        ("messages", "attachments", "transcripts", "activity", "watchers"), 0
    )
    for kept in (recent.issue_id, still_open.issue_id):
        assert (await client.get(f"/api/v1/issues/{kept}", headers=ana)).status_code == 200
    left = [p for p in settings.blob_root.rglob("*") if p.is_file()]
    assert len(left) < len(blobs)  # the old Issue's photo and transcripts are deleted
    log = await client.get(
        "/api/v1/admin/audit", params={"action": "retention.purge"}, headers=org.auth(org.admin)
    )
    (entry,) = log.json()["entries"]
    assert entry["detail"] == {"issues": 1, "older_than_days": 30}
