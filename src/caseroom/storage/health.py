"""What the operator's probes read: the schema revision and the job queue."""

from __future__ import annotations

from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection

from caseroom.storage import tables as t
from caseroom.storage.jobs import FAILED, PENDING
from caseroom.storage.migrate import alembic_config


def head_revisions() -> frozenset[str]:
    """The revisions `caseroom migrate` brings a database to."""
    from alembic.script import ScriptDirectory

    return frozenset(ScriptDirectory.from_config(alembic_config("")).get_heads())


async def schema_revisions(conn: AsyncConnection) -> frozenset[str]:
    """The Alembic revisions the database is at (empty before the first migration)."""
    try:
        rows = await conn.execute(text("SELECT version_num FROM alembic_version"))
    except DBAPIError:  # no version table: never migrated
        return frozenset()
    return frozenset(str(row[0]) for row in rows)


async def jobs_by_state(conn: AsyncConnection) -> dict[str, int]:
    """How many jobs wait to run (or to be retried) and how many gave up."""
    c = t.jobs.c
    counts = {PENDING: 0, FAILED: 0, "retrying": 0}
    query = (
        select(c.state, func.count(), func.count().filter(c.attempts > 0))
        .where(c.state.in_((PENDING, FAILED)))
        .group_by(c.state)
    )
    for state, count, retried in await conn.execute(query):
        counts[state] = count
        if state == PENDING:
            counts["retrying"] = retried
    return counts
