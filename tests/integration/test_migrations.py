"""`caseroom migrate` on a database that already has data: one at the three heads
that branched off 0001 is merged into 0005, and its filed transcripts get the
cut-off their resolution recorded."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
import httpx
import pytest
import sqlalchemy as sa
from alembic import command

from caseroom.app import create_app
from caseroom.config import Settings
from caseroom.storage.database import create_engine
from caseroom.storage.migrate import alembic_config
from caseroom.storage.uow import Database
from tests.builders import make_org, send, start_chat
from tests.components import require_postgres, unique

BRANCHES = ("0002", "0003", "0004")

_transcripts = sa.table(
    "transcripts",
    *(sa.column(name, sa.String) for name in ("id", "org_id", "issue_id", "resolution_id")),
    *(sa.column(name, sa.String) for name in ("room", "format", "filename", "content_type")),
    sa.column("sha256", sa.String),
    sa.column("version", sa.Integer),
    sa.column("size", sa.BigInteger),
    sa.column("resolved_at", sa.DateTime),
    sa.column("created_at", sa.DateTime),
)


@pytest.fixture(params=["sqlite", "postgres"])
async def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """A database with no schema at all, of each kind."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'old.db'}"
        return
    server, name = require_postgres(), unique("caseroom_migrate_")

    async def admin(sql: str) -> None:
        conn = await asyncpg.connect(f"{server}/postgres")
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    await admin(f'CREATE DATABASE "{name}"')
    yield f"{server.replace('postgresql://', 'postgresql+asyncpg://')}/{name}"
    await admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def upgrade_to_branches(url: str) -> None:
    config = alembic_config(url)
    for revision in BRANCHES:
        command.upgrade(config, revision)


def caseroom_migrate(url: str) -> None:
    executable = Path(sys.executable).with_name("caseroom")
    done = subprocess.run(
        [str(executable), "migrate", "--database-url", url], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr


async def versions(db: Database) -> list[str]:
    async with db.engine.connect() as conn:
        rows = await conn.execute(sa.text("SELECT version_num FROM alembic_version"))
        return sorted(r[0] for r in rows)


async def test_migrate_merges_the_three_heads_and_keeps_filed_transcripts(
    empty_url: str, tmp_path: Path
) -> None:
    await asyncio.to_thread(upgrade_to_branches, empty_url)
    engine = create_engine(empty_url)
    db = Database(engine, lambda events: asyncio.sleep(0))
    assert await versions(db) == list(BRANCHES)

    # Data written by the release before 0005: a resolution and its pending job.
    org = await make_org(db)
    app = create_app(Settings(database_url=empty_url, data_dir=tmp_path / "data"))
    async with app.router.lifespan_context(app):
        await app.state.context.worker.stop()
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            chat = await start_chat(client, org, message="Where is my order?")
            await send(client, org.auth(org.ana), chat.issue_id, body="Looking now")
            for action in ("claim", "resolve"):
                url = f"/api/v1/issues/{chat.issue_id}/{action}"
                assert (await client.post(url, headers=org.auth(org.ana))).status_code == 200
            await send(client, chat.auth, chat.issue_id, body="Thanks!")  # after the cut-off
    async with engine.begin() as conn:
        resolution_id = (
            await conn.execute(
                sa.text("SELECT id FROM activity WHERE issue_id = :i AND action = 'resolve'"),
                {"i": chat.issue_id},
            )
        ).scalar_one()
        now = datetime.now(UTC).replace(tzinfo=None)
        for row_id, resolution in (("from-job", resolution_id), ("no-job", "legacy")):
            await conn.execute(
                sa.insert(_transcripts).values(
                    id=row_id, org_id=org.org.id, issue_id=chat.issue_id,
                    resolution_id=resolution, room="public", format="pdf", filename="t.pdf",
                    content_type="application/pdf", sha256="0" * 64, version=1, size=1,
                    resolved_at=now, created_at=now,
                )
            )  # fmt: skip

    await asyncio.to_thread(caseroom_migrate, empty_url)
    assert await versions(db) == ["0005"]
    async with engine.connect() as conn:
        cut_off = dict((await conn.execute(sa.text("SELECT id, upto_seq FROM transcripts"))).all())
    # The job recorded the public room's last message at the resolution (seq 2); with
    # no job, the last message written by then stands in (seq 3, before `now`).
    assert cut_off == {"from-job": 2, "no-job": 3}

    await asyncio.to_thread(caseroom_migrate, empty_url)  # at the head: nothing to do
    assert await versions(db) == ["0005"]
    await engine.dispose()
