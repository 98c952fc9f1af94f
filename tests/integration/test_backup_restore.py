"""The restore drill: write messages and files, back up, lose the database and
the files, restore, and find everything readable with sequences continuing."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import sys
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from pathlib import Path

import asyncpg
import httpx
import pytest

from caseroom import backup
from caseroom.app import create_app
from caseroom.config import Settings
from caseroom.storage.database import create_engine
from caseroom.storage.migrate import upgrade
from caseroom.storage.uow import Database
from tests.builders import make_org, send, start_chat, upload
from tests.components import require_postgres, unique


async def _admin(server: str, sql: str) -> None:
    conn = await asyncpg.connect(f"{server}/postgres")
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


@pytest.fixture(params=["sqlite", "postgres"])
def fresh_database(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[tuple[str, Callable[[], None]]]:
    """A database of this test's own, and a way to lose it (leaving an empty one
    under the same URL, as an operator creates before restoring)."""
    if request.param == "sqlite":
        path = tmp_path / "caseroom.db"

        def lose_sqlite() -> None:
            for leftover in tmp_path.glob("caseroom.db*"):
                leftover.unlink()

        yield f"sqlite:///{path}", lose_sqlite
        return
    server = require_postgres()
    name = unique("caseroom_drill_")
    asyncio.run(_admin(server, f'CREATE DATABASE "{name}"'))

    def lose_postgres() -> None:
        asyncio.run(_admin(server, f'DROP DATABASE "{name}" WITH (FORCE)'))
        asyncio.run(_admin(server, f'CREATE DATABASE "{name}"'))

    yield server.replace("postgresql://", "postgresql+asyncpg://") + f"/{name}", lose_postgres
    asyncio.run(_admin(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def _no_events(_events: object) -> None:
    return None


@asynccontextmanager
async def running(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            yield http


async def test_a_restored_backup_has_every_message_and_file_and_keeps_counting(
    fresh_database: tuple[str, Callable[[], None]], tmp_path: Path
) -> None:
    url, lose_database = fresh_database
    await asyncio.to_thread(upgrade, url)
    settings = Settings(
        database_url=url, data_dir=tmp_path / "data", limits_enabled=False, job_poll_seconds=3600
    )
    engine = create_engine(url)
    org = await make_org(Database(engine, _no_events))
    await engine.dispose()
    picture = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40
    async with running(settings) as client:
        chat = await start_chat(client, org, message="first")
        for n in range(3):
            reply = await send(client, chat.auth, chat.issue_id, body=f"reply {n}")
            assert reply.status_code == 201
        files = [("receipt.png", picture)]
        sent = await upload(client, chat.auth, chat.issue_id, files, body="pic")
        assert sent.status_code == 201, sent.text
        history_path = f"/api/v1/issues/{chat.issue_id}/rooms/public/messages"
        before = (await client.get(history_path, headers=chat.auth)).json()["items"]

    kept = tmp_path / "backup-1"
    manifest = await asyncio.to_thread(backup.backup, settings, kept)
    assert manifest["files"] >= 1

    key_made = (settings.data_dir / "secret.key").read_bytes()
    await asyncio.to_thread(lose_database)
    shutil.rmtree(settings.data_dir)
    await asyncio.to_thread(backup.restore, settings, kept)
    assert (settings.data_dir / "secret.key").read_bytes() == key_made

    async with running(settings) as client:
        assert (await client.get("/readyz")).status_code == 200
        after = (await client.get(history_path, headers=chat.auth)).json()["items"]
        assert after == before
        (attachment,) = next(m for m in after if m["body"] == "pic")["attachments"]
        content = await client.get(
            f"/api/v1/issues/{chat.issue_id}/attachments/{attachment['id']}/content",
            headers=chat.auth,
        )
        assert content.content == picture
        more = await send(client, chat.auth, chat.issue_id, body="after the restore")
        assert more.json()["seq"] == before[-1]["seq"] + 1
    assert [m["seq"] for m in before] == list(range(1, len(before) + 1))


async def test_restore_never_overwrites_a_database_with_data(
    sqlite_url: str, tmp_path: Path
) -> None:
    settings = Settings(database_url=sqlite_url, data_dir=tmp_path / "data")
    kept = tmp_path / "kept"
    await asyncio.to_thread(backup.backup, settings, kept)
    with pytest.raises(backup.BackupError, match="restore into a new file"):
        backup.restore(settings, kept)
    with pytest.raises(backup.BackupError, match="exists"):
        backup.backup(settings, kept)


def test_the_commands_report_what_went_wrong(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "caseroom.cli", "restore", str(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1
    assert "not a caseroom backup" in done.stderr
