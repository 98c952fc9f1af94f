"""`caseroom migrate` on a database that already has data: one at the three heads
that branched off 0001 is merged into 0005, and its filed transcripts get the
cut-off their resolution recorded."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
import pytest
import sqlalchemy as sa
from alembic import command
from alembic.script import ScriptDirectory

from caseroom.storage.database import create_engine
from caseroom.storage.migrate import alembic_config
from caseroom.storage.uow import Database
from tests.components import require_postgres, unique

BRANCHES = ("0002", "0003", "0004")
HEAD = ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


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
    empty_url: str,
) -> None:
    await asyncio.to_thread(upgrade_to_branches, empty_url)
    engine = create_engine(empty_url)
    db = Database(engine, lambda events: asyncio.sleep(0))
    assert await versions(db) == list(BRANCHES)

    # Data written by the release before 0005, as it wrote it: an Issue with two
    # messages up to its resolution (recorded in the resolution's job), one after
    # it, and a transcript filed from the job and one filed without a job.
    now = datetime.now(UTC).replace(tzinfo=None)
    async with engine.begin() as conn:
        await conn.run_sync(_write_release_0004_data, now)

    await asyncio.to_thread(caseroom_migrate, empty_url)
    assert await versions(db) == [HEAD]
    async with engine.connect() as conn:
        cut_off = dict((await conn.execute(sa.text("SELECT id, upto_seq FROM transcripts"))).all())
    # The job recorded the public room's last message at the resolution (seq 2); with
    # no job, the last message written by then stands in (seq 3, before `now`).
    assert cut_off == {"from-job": 2, "no-job": 3}

    await asyncio.to_thread(caseroom_migrate, empty_url)  # at the head: nothing to do
    assert await versions(db) == [HEAD]
    await engine.dispose()


def _write_release_0004_data(conn: sa.Connection, now: datetime) -> None:
    """Rows in the schema of the three heads, through that schema itself (reflected),
    so the test keeps meaning the same whatever later releases add."""
    tables = sa.MetaData()
    tables.reflect(conn)
    earlier = now - timedelta(minutes=5)

    def put(table: str, **values: object) -> None:
        conn.execute(sa.insert(tables.tables[table]).values(**values))

    put("organizations", id="o1", slug="old", name="Old", created_at=earlier)
    put("customers", id="c1", org_id="o1", name="Casey", created_at=earlier)
    put(
        "issues", id="i1", org_id="o1", reference="OLD001", subject="Where is my order?",
        status="resolved", customer_id="c1", source_channel="chat", tags=[],
        created_at=earlier, updated_at=earlier, public_seq=3, private_seq=0,
    )  # fmt: skip
    for seq, body in enumerate(("Where is my order?", "Looking now", "Thanks!"), start=1):
        put(
            "messages", id=f"m{seq}", org_id="o1", issue_id="i1", room="public", seq=seq,
            kind="message", channel="chat", author_kind="customer", author_name="Casey",
            body=body, created_at=earlier + timedelta(seconds=seq),
        )  # fmt: skip
    put(
        "jobs", id="j1", org_id="o1", kind="transcripts", dedupe_key="transcripts:r1",
        payload={"issue_id": "i1", "last_seq": {"public": 2, "private": 0}}, state="pending",
        attempts=0, run_after=earlier, created_at=earlier,
    )  # fmt: skip
    for row_id, resolution in (("from-job", "r1"), ("no-job", "legacy")):
        put(
            "transcripts", id=row_id, org_id="o1", issue_id="i1", resolution_id=resolution,
            room="public", format="pdf", filename="t.pdf", content_type="application/pdf",
            sha256="0" * 64, version=1, size=1, resolved_at=now, created_at=now,
        )  # fmt: skip


async def test_migrate_fills_in_the_surface_of_earlier_texts_and_mails(empty_url: str) -> None:
    await asyncio.to_thread(command.upgrade, alembic_config(empty_url), "0017_principal_epoch")
    engine = create_engine(empty_url)
    now = datetime.now(UTC).replace(tzinfo=None)
    async with engine.begin() as conn:
        await conn.run_sync(_write_issues_before_surfaces, now)

    await asyncio.to_thread(caseroom_migrate, empty_url)
    async with engine.connect() as conn:
        rows = await conn.execute(sa.text("SELECT source_channel, surface FROM issues"))
        surfaces = dict(rows.all())
    # Which chat page an earlier web chat came from was never recorded.
    assert surfaces == {"sms": "sms", "email": "email", "chat": None}
    await engine.dispose()


def _write_issues_before_surfaces(conn: sa.Connection, now: datetime) -> None:
    """An Issue from each channel, in the schema before surfaces (reflected)."""
    tables = sa.MetaData()
    tables.reflect(conn)
    conn.execute(
        sa.insert(tables.tables["organizations"]).values(
            id="o1", slug="old", name="Old", created_at=now
        )
    )
    conn.execute(
        sa.insert(tables.tables["customers"]).values(
            id="c1", org_id="o1", name="Casey", created_at=now
        )
    )
    for n, channel in enumerate(("sms", "email", "chat")):
        conn.execute(
            sa.insert(tables.tables["issues"]).values(
                id=f"i{n}", org_id="o1", reference=f"OLD00{n}", subject="Help",
                status="unclaimed", customer_id="c1", source_channel=channel, tags=[],
                created_at=now, updated_at=now, public_seq=0, private_seq=0,
            )
        )  # fmt: skip


async def test_migrate_lists_the_tags_earlier_issues_carry(empty_url: str) -> None:
    config = alembic_config(empty_url)
    await asyncio.to_thread(command.upgrade, config, "0019_issue_activity_index")
    engine = create_engine(empty_url)
    now = datetime.now(UTC).replace(tzinfo=None)
    async with engine.begin() as conn:
        await conn.run_sync(_write_issues_before_surfaces, now)
        for issue_id, tags in (("i0", ["vip", "loud"]), ("i1", ["loud"])):
            issues = sa.table("issues", sa.column("id"), sa.column("tags", sa.JSON))
            await conn.execute(issues.update().where(issues.c.id == issue_id).values(tags=tags))

    await asyncio.to_thread(caseroom_migrate, empty_url)
    async with engine.connect() as conn:
        rows = await conn.execute(sa.text("SELECT tag, issue_id, org_id FROM issue_tags"))
        listed = sorted(rows.all())
    assert listed == [("loud", "i0", "o1"), ("loud", "i1", "o1"), ("vip", "i0", "o1")]
    await engine.dispose()
