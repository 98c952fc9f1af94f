"""Engine creation for the two supported databases."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

READ_ONLY = "caseroom_read_only"


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def create_engine(url: str, *, pool_size: int = 10, busy_timeout_ms: int = 30_000) -> AsyncEngine:
    if is_sqlite(url):
        return _sqlite_engine(url, busy_timeout_ms)
    return create_async_engine(url, pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True)


def _sqlite_engine(url: str, busy_timeout_ms: int) -> AsyncEngine:
    memory = make_url(url).database in (None, "", ":memory:")
    kwargs: dict[str, Any] = {"connect_args": {"timeout": busy_timeout_ms / 1000}}
    if memory:
        raise ValueError("use a file for SQLite: in-memory databases are per connection")
    engine = create_async_engine(url, **kwargs)

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
