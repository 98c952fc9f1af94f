"""A migrated database that lives for one in-process measurement: a SQLite file
in a temporary folder, or a PostgreSQL database (BENCH_POSTGRES's server) dropped
afterwards."""

from __future__ import annotations

import contextlib
import tempfile
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg

from bench.settings import BenchSettings
from caseroom.storage.migrate import upgrade_async

KINDS = ("sqlite", "postgres")


@contextlib.asynccontextmanager
async def scratch_database(kind: str) -> AsyncIterator[str]:
    """The URL of a new, migrated database of `kind` (one of KINDS)."""
    if kind == "sqlite":
        with tempfile.TemporaryDirectory() as folder:
            url = f"sqlite+aiosqlite:///{Path(folder) / 'scratch.db'}"
            await upgrade_async(url)
            yield url
        return
    if kind != "postgres":
        raise ValueError(f"a database is one of {', '.join(KINDS)}")
    server = BenchSettings().postgres
    name = f"caseroom_scratch_{uuid.uuid4().hex[:12]}"
    await pg_admin(server, f'CREATE DATABASE "{name}"')
    try:
        url = f"{server.replace('postgresql://', 'postgresql+asyncpg://')}/{name}"
        await upgrade_async(url)
        yield url
    finally:
        await pg_admin(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def pg_admin(server: str, sql: str) -> None:
    """Run `sql` (CREATE or DROP DATABASE) on the server's `postgres` database."""
    conn = await asyncpg.connect(f"{server}/postgres", timeout=5)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()
