"""Statements every message runs, executed straight through SQLite's driver.

On the in-process SQLite dialect a small statement takes SQLite about 15 µs,
and SQLAlchemy's work around it (cache key, execution context, result object)
about 40 µs more, per call. A `DriverStatement` is compiled by SQLAlchemy once
per dialect and set of parameters, and its parameters are converted by the
columns' own types, so that what reaches the database is what SQLAlchemy would
send; then it runs on the connection's DB-API cursor, in the same transaction.
Errors are raised as SQLAlchemy raises them, so retries and conflicts are told
apart exactly as on every other statement. Other dialects go through
SQLAlchemy unchanged."""

from __future__ import annotations

import sqlite3
from collections import namedtuple
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sqlalchemy import Executable
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
        self._compiled: dict[tuple[str, ...], _Compiled] = {}
        _Compiled(statement, InlineSQLiteDialect(), None)  # refused here, not at a send

    async def execute(self, conn: AsyncConnection, params: Mapping[str, Any]) -> list[Any]:
        # Outside a transaction SQLAlchemy's own execute begins one (BEGIN
        # IMMEDIATE for a writer): the driver alone would run in autocommit.
        if not isinstance(conn.dialect, InlineSQLiteDialect) or not conn.in_transaction():
            result = await conn.execute(self._statement, dict(params))
            return list(result.all()) if result.returns_rows else []
        keys = tuple(sorted(params))
        compiled = self._compiled.get(keys)
        if compiled is None:
            compiled = self._compiled[keys] = _Compiled(self._statement, conn.dialect, keys)
        arguments = compiled.arguments(params)
        dbapi = conn.sync_connection.connection.dbapi_connection if conn.sync_connection else None
        assert dbapi is not None
        try:
            cursor = dbapi.execute(compiled.sql, arguments)
            fetched = cursor.fetchall() if cursor.description else []
        except sqlite3.Error as error:
            raise DBAPIError.instance(compiled.sql, arguments, error, sqlite3.Error) from error
        return compiled.rows(fetched)
