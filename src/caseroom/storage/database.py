"""Engine creation for the two supported databases."""

from __future__ import annotations

import sqlite3
from typing import Any

from sqlalchemy import event, pool
from sqlalchemy.dialects import registry
from sqlalchemy.dialects.sqlite.pysqlite import SQLiteDialect_pysqlite
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.util.concurrency import await_

READ_ONLY = "caseroom_read_only"


class InlineSQLiteDialect(SQLiteDialect_pysqlite):
    """SQLite run in the event loop's own thread. A statement on a local WAL
    database takes microseconds; handing each one to a worker thread and back (as
    aiosqlite does, several times per statement) costs far more CPU than the
    statement itself. The price is that a statement blocks the loop while it runs,
    so `Database` lets one write transaction at a time into SQLite: BEGIN IMMEDIATE
    then never has to wait for a lock held by a task that the loop cannot run."""

    is_async = True
    supports_statement_cache = True

    @classmethod
    def get_pool_class(cls, url: URL) -> type[pool.Pool]:
        return pool.AsyncAdaptedQueuePool

    # AsyncConnection insists that each statement awaits something: a coroutine that
    # is already done costs a greenlet switch, not a trip around the loop.
    def do_execute(self, cursor: Any, statement: Any, parameters: Any, context: Any = None) -> None:
        cursor.execute(statement, parameters)
        await_(_done())

    def do_executemany(
        self, cursor: Any, statement: Any, parameters: Any, context: Any = None
    ) -> None:
        cursor.executemany(statement, parameters)
        await_(_done())

    def do_execute_no_params(self, cursor: Any, statement: Any, context: Any = None) -> None:
        cursor.execute(statement)
        await_(_done())


async def _done() -> None:
    return None


class _Cursor(sqlite3.Cursor):
    async def _async_soft_close(self) -> None:
        """Asked for by AsyncConnection; the rows stay readable, in this thread."""


class _Connection(sqlite3.Connection):
    def cursor(self, factory: Any = _Cursor) -> Any:
        return super().cursor(factory)


registry.register("sqlite.caseroom_inline", __name__, InlineSQLiteDialect.__name__)


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def create_engine(url: str, *, pool_size: int = 10, busy_timeout_ms: int = 30_000) -> AsyncEngine:
    if is_sqlite(url):
        return _sqlite_engine(url, busy_timeout_ms, pool_size)
    engine = create_async_engine(url, pool_size=pool_size, max_overflow=pool_size)
    event.listen(engine.sync_engine.pool, "checkout", _refuse_closed_connection)
    return engine


def _refuse_closed_connection(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
    """A pooled connection the server has closed (a restart, a failover) is
    replaced before it is handed out. The driver knows without a round trip, as
    soon as the loop has read the end of its socket; a ping before every checkout
    (SQLAlchemy's pool_pre_ping) costs three: BEGIN, a statement and ROLLBACK."""
    if dbapi_connection.driver_connection.is_closed():
        raise DisconnectionError("the server closed this connection")


def _sqlite_engine(url: str, busy_timeout_ms: int, pool_size: int) -> AsyncEngine:
    parsed = make_url(url)
    if parsed.database in (None, "", ":memory:"):
        raise ValueError("use a file for SQLite: in-memory databases are per connection")
    connect_args = {
        "timeout": busy_timeout_ms / 1000,
        "check_same_thread": False,
        "factory": _Connection,
    }
    engine = create_async_engine(
        parsed.set(drivername="sqlite+caseroom_inline"),
        connect_args=connect_args,
        # Connections beyond the pool are opened and closed per use, each paying
        # for its PRAGMAs: keep as many as a busy process uses at once.
        pool_size=pool_size,
        max_overflow=pool_size,
    )

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take over transaction control from the driver so that writers can
        # start with BEGIN IMMEDIATE (no lock upgrade deadlocks under WAL).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Any) -> None:
        read_only = conn.get_execution_options().get(READ_ONLY, False)
        conn.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")

    return engine
