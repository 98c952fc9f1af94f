"""Shared fixtures: a migrated database of each kind, a Database with a recording
publisher, and an in-process API client."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import httpx
import pytest

from caseroom.app import create_app
from caseroom.config import Settings
from caseroom.domain.events import Event
from caseroom.services import auth
from caseroom.storage.database import create_engine
from caseroom.storage.migrate import upgrade
from caseroom.storage.uow import Database
from tests.components import require_postgres, unique

# Passwords hashed at Argon2id's lowest cost, here and in the servers the tests
# start (they inherit this environment): tests make agents by the hundred, and a
# hash carries its own parameters, so verifying works the same at any cost.
CHEAP_PASSWORD_COST = {"TIME_COST": "1", "MEMORY_KIB": "64"}
for _name, _value in CHEAP_PASSWORD_COST.items():
    os.environ.setdefault(f"CASEROOM_PASSWORD_HASH_{_name}", _value)
auth.use_password_cost(
    int(os.environ["CASEROOM_PASSWORD_HASH_TIME_COST"]),
    int(os.environ["CASEROOM_PASSWORD_HASH_MEMORY_KIB"]),
)


@pytest.fixture(scope="session")
def sqlite_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    path: Path = tmp_path_factory.mktemp("db") / "caseroom.db"
    url = f"sqlite+aiosqlite:///{path}"
    upgrade(url)
    return url


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A throwaway database for this test run, dropped at the end."""
    server = require_postgres()
    name = unique("caseroom_test_")

    async def admin(sql: str) -> None:
        conn = await asyncpg.connect(f"{server}/postgres")
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    asyncio.run(admin(f'CREATE DATABASE "{name}"'))
    url = f"{server.replace('postgresql://', 'postgresql+asyncpg://')}/{name}"
    upgrade(url)
    yield url
    asyncio.run(admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest) -> str:
    """Each test that asks for it runs on both databases."""
    return str(request.getfixturevalue(f"{request.param}_url"))


class RecordingPublisher:
    """Stands in for the hub: keeps what a committed unit of work published."""

    def __init__(self) -> None:
        self.events: list[Event] = []

    async def __call__(self, events: list[Event]) -> None:
        self.events.extend(events)

    def types(self) -> list[str]:
        return [e.type for e in self.events]


@pytest.fixture
def published() -> RecordingPublisher:
    return RecordingPublisher()


@pytest.fixture
async def db(database_url: str, published: RecordingPublisher) -> AsyncIterator[Database]:
    engine = create_engine(database_url)
    yield Database(engine, published)
    await engine.dispose()


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    # Abuse limits would refuse tests that start many conversations from one
    # address; tests/integration/test_abuse_limits.py turns them on.
    return Settings(database_url=database_url, data_dir=tmp_path / "data", limits_enabled=False)


@pytest.fixture
async def client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """The app in process (lifespan included), reached over ASGI."""
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            http.app = app  # type: ignore[attr-defined]
            yield http
