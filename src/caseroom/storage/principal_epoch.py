"""The principal epoch: a counter that says "who some credential stands for may
have changed".

A process may keep authenticated principals in memory (`web/principal_cache.py`).
It must stop trusting them the moment a transaction that could change one
commits, in any process: a token revoked or issued, an agent deactivated or
given another role or team, a Customer's details or grants, a bot. Rather than
trust every use case to say so, every INSERT, UPDATE or DELETE on the tables a
principal is read from marks its connection; `Database` then moves the epoch on
as the transaction's last statement, so it commits with the change or not at
all. Each request reads the epoch, one row, before it uses what it kept."""

from __future__ import annotations

import asyncio
import sqlite3
from typing import Any, Protocol

from sqlalchemy import event, select, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.sql.dml import UpdateBase

from caseroom.storage import tables

PRINCIPAL_TABLES = frozenset(
    table.name
    for table in (
        tables.organizations,
        tables.agents,
        tables.team_members,
        tables.customers,
        tables.credentials,
        tables.customer_grants,
        tables.bots,
    )
)
_MARK = "caseroom_principals_written"
# Set on a statement that writes to one of those tables but changes no principal
# (an agent's last-seen time, written on every heartbeat of their console).
PRINCIPAL_NEUTRAL = {"caseroom_principal_neutral": True}
_EPOCH = tables.principal_epoch
ADVANCE = update(_EPOCH).where(_EPOCH.c.id == 1).values(epoch=_EPOCH.c.epoch + 1)
_READ = "SELECT epoch FROM principal_epoch WHERE id = 1"  # the raw SQLite read


def watch(engine: Engine) -> None:
    """Mark connections of `engine` that write to a principal's tables (once per engine)."""
    if not event.contains(engine, "before_execute", _mark_principal_writes):
        event.listen(engine, "before_execute", _mark_principal_writes)


def _mark_principal_writes(conn: Connection, clause: Any, *_: Any) -> None:
    if isinstance(clause, UpdateBase):
        table = getattr(clause, "table", None)
        if getattr(
            table, "name", None
        ) in PRINCIPAL_TABLES and not clause.get_execution_options().get(
            "caseroom_principal_neutral"
        ):
            conn.info[_MARK] = True


def written(info: dict[Any, Any]) -> bool:
    """Whether the open transaction wrote to a principal's tables."""
    return bool(info.get(_MARK))


def forget_mark(info: dict[Any, Any]) -> None:
    """The transaction ended: the connection goes back to the pool unmarked."""
    info.pop(_MARK, None)


class EpochReader(Protocol):
    async def read(self) -> int | None:
        """The committed epoch; None if it cannot be read (then nothing kept is used)."""

    def close(self) -> None: ...


def epoch_reader(engine: AsyncEngine) -> EpochReader:
    if engine.dialect.name == "sqlite":
        return _SQLiteEpoch(str(engine.url.database))
    return _PooledEpoch(engine)


class _SQLiteEpoch:
    """A connection of its own, outside any transaction, read in the loop's thread:
    a one-row read on a local file takes microseconds, far less than a pooled
    connection's checkout."""

    def __init__(self, path: str) -> None:
        self._path = path
        self._conn: sqlite3.Connection | None = None

    async def read(self) -> int | None:
        try:
            if self._conn is None:
                conn = sqlite3.connect(self._path, isolation_level=None, check_same_thread=False)
                conn.execute("PRAGMA query_only=1")
                self._conn = conn
            rows = self._conn.execute(_READ).fetchall()  # all: no statement left open
        except sqlite3.Error:
            self._conn = None
            return None
        return int(rows[0][0]) if rows else None

    def close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            conn.close()


class _PooledEpoch:
    """On PostgreSQL every request would take a pooled connection for its read.
    Requests that arrive while a read is on its way share the next one instead:
    each still gets an epoch read after it arrived, and under load a process
    reads the epoch once per round trip, not once per request."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._query = select(_EPOCH.c.epoch).where(_EPOCH.c.id == 1)
        self._next: asyncio.Future[int | None] | None = None  # the read the waiting share
        self._reader: asyncio.Task[None] | None = None

    async def read(self) -> int | None:
        shared = self._next
        if shared is None:
            shared = self._next = asyncio.get_running_loop().create_future()
        if self._reader is None:
            self._reader = asyncio.create_task(self._read_for_the_waiting())
        # Shielded: one caller going away does not take the others' answer.
        return await asyncio.shield(shared)

    async def _read_for_the_waiting(self) -> None:
        waiting: asyncio.Future[int | None] | None = None
        try:
            while self._next is not None:
                # Whoever arrives from here on waits for a read that starts later.
                waiting, self._next = self._next, None
                waiting.set_result(await self._read_once())
        finally:
            self._reader = None
            for left in (waiting, self._next):  # cancelled: nothing kept is used
                if left is not None and not left.done():
                    left.set_result(None)
            self._next = None

    async def _read_once(self) -> int | None:
        try:
            async with self._engine.connect() as conn:
                epoch = (await conn.execute(self._query)).scalar()
                await conn.rollback()
        except Exception:  # an unreachable database: authenticate the long way
            return None
        return int(epoch) if epoch is not None else None

    def close(self) -> None:
        """Its connections are the engine's, closed with it."""
