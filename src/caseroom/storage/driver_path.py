"""Statements every message runs, executed straight through the database driver.

SQLAlchemy's work around a small statement (cache key, execution context,
result object, and with asyncpg a hop through a greenlet) costs more than the
statement itself: on SQLite about 40 µs beside SQLite's 15, on PostgreSQL about
two thirds of the CPU a statement takes in the process. A `DriverStatement` is
compiled by SQLAlchemy once per dialect and set of parameters, and its
parameters are converted by the columns' own types, so that what reaches the
database is what SQLAlchemy would send; then it runs on the connection's own
driver (sqlite3's cursor, asyncpg's connection), in the same transaction.
Errors are raised as SQLAlchemy raises them, so retries and conflicts are told
apart exactly as on every other statement. Outside a transaction, and on other
dialects, statements go through SQLAlchemy unchanged."""

from __future__ import annotations

import sqlite3
from collections import namedtuple
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

from sqlalchemy import Executable
from sqlalchemy.dialects.postgresql.asyncpg import PGDialect_asyncpg
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.compiler import SQLCompiler

from caseroom.storage.database import InlineSQLiteDialect

_Processor = Callable[[Any], Any] | None


class _Compiled:
    """One statement's SQL for a set of parameter names, and how to order and
    convert the values."""

    def __init__(self, statement: Any, dialect: Dialect, keys: Sequence[str] | None) -> None:
        compiled = statement.compile(
            dialect=dialect, column_keys=None if keys is None else list(keys)
        )
        assert isinstance(compiled, SQLCompiler) and compiled.positiontup is not None
        # Defaults computed in Python, and values rendered into the SQL at each
        # execution, belong to SQLAlchemy's execution context.
        if compiled.insert_prefetch or compiled.update_prefetch:
            raise ValueError("a statement with Python-side defaults runs through SQLAlchemy")
        if compiled.literal_execute_params or compiled.post_compile_params:
            raise ValueError("a statement with values rendered per call runs through SQLAlchemy")
        self.compiled = compiled
        self.sql = compiled.string
        self.order: list[tuple[str, _Processor]] = [
            (name, compiled.binds[name].type.dialect_impl(dialect).bind_processor(dialect))
            for name in compiled.positiontup
        ]
        # What it returns (the columns selected, or RETURNING's): rows named by
        # the columns' keys, each value converted by its column's type.
        columns = list(statement.exported_columns)
        self.row = namedtuple("Row", [c.key for c in columns])  # type: ignore[misc]
        self.convert = [
            c.type.dialect_impl(dialect).result_processor(dialect, None) for c in columns
        ]

    def rows(self, fetched: list[tuple[Any, ...]]) -> list[Any]:
        if not self.convert:  # an INSERT's implicit RETURNING of its primary key
            return []
        return [
            self.row(*(v if f is None else f(v) for v, f in zip(raw, self.convert, strict=True)))
            for raw in fetched
        ]

    def arguments(self, params: Mapping[str, Any]) -> list[Any]:
        values = self.compiled.construct_params(dict(params))
        return [
            values[name] if convert is None else convert(values[name])
            for name, convert in self.order
        ]


class DriverStatement:
    """A statement built once; `execute` returns its rows (a SELECT's, or
    RETURNING's), their values read by name as on SQLAlchemy's rows."""

    def __init__(self, statement: Executable) -> None:
        self._statement = statement
        self._compiled: dict[tuple[type[Dialect], tuple[str, ...]], _Compiled] = {}
        for dialect in _DIALECTS:
            _Compiled(statement, dialect, None)  # refused here, not at a send

    async def execute(self, conn: AsyncConnection, params: Mapping[str, Any]) -> list[Any]:
        # Outside a transaction SQLAlchemy's own execute begins one (BEGIN
        # IMMEDIATE for a writer): the driver alone would run in autocommit.
        run = _RUNNERS.get(type(conn.dialect))
        if run is None or not conn.in_transaction():
            result = await conn.execute(self._statement, dict(params))
            return list(result.all()) if result.returns_rows else []
        keys = tuple(sorted(params))
        compiled = self._compiled.get((type(conn.dialect), keys))
        if compiled is None:
            compiled = _Compiled(self._statement, conn.dialect, keys)
            self._compiled[(type(conn.dialect), keys)] = compiled
        assert conn.sync_connection is not None
        # The pooled connection the transaction holds (no I/O: it is checked out).
        driver = conn.sync_connection.connection.dbapi_connection
        arguments = compiled.arguments(params)
        return compiled.rows(await run(driver, compiled.sql, arguments))


async def _on_sqlite(connection: Any, sql: str, arguments: list[Any]) -> list[Any]:
    try:
        cursor = connection.execute(sql, arguments)
        return cursor.fetchall() if cursor.description else []
    except sqlite3.Error as error:
        raise DBAPIError.instance(sql, arguments, error, sqlite3.Error) from error


async def _on_asyncpg(adapted: Any, sql: str, arguments: list[Any]) -> list[Any]:
    """On SQLAlchemy's adapter of the asyncpg connection, as its cursor runs a
    statement: one operation at a time, and BEGIN sent with the first statement
    of a transaction (SQLAlchemy's begin() alone sends nothing)."""
    async with adapted._execute_mutex:
        if adapted._transaction is None:
            await adapted._start_transaction()
        try:
            return list(await adapted.driver_connection.fetch(sql, *arguments))
        except Exception as error:
            dbapi_error = adapted.dbapi.Error
            try:
                adapted._handle_exception(error)  # raises it as the DB-API error
            except dbapi_error as translated:
                raise DBAPIError.instance(sql, arguments, translated, dbapi_error) from error
            raise


_RUNNERS: dict[type[Dialect], Callable[[Any, str, list[Any]], Awaitable[list[Any]]]] = {
    InlineSQLiteDialect: _on_sqlite,
    PGDialect_asyncpg: _on_asyncpg,
}
# One of each, to refuse a statement when it is built rather than at a send.
_DIALECTS: tuple[Dialect, ...] = tuple(dialect() for dialect in _RUNNERS)
