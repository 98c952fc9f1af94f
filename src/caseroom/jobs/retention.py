"""The retention job, and the daily timer that queues it for every organization."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from caseroom.domain.records import Job
from caseroom.jobs.worker import Complete, Handler
from caseroom.services import retention
from caseroom.services.common import utcnow
from caseroom.storage.uow import Database, UnitOfWork

log = logging.getLogger(__name__)


def retention_handler(keep: timedelta) -> Handler:
    async def handle(job: Job) -> Complete:
        async def purge(uow: UnitOfWork) -> None:
            await retention.purge_expired(uow, job.org_id, keep, utcnow())

        return purge

    return handle


async def daily(db: Database, *, every: timedelta = timedelta(hours=6)) -> None:
    """Queue today's purges now and every few hours (each day's once)."""
    while True:

        async def work(uow: UnitOfWork) -> None:
            await retention.schedule_day(uow, utcnow())

        try:
            await db.run(work)
        except Exception:  # the database is away: the next round queues the day's purges
            log.exception("could not queue the retention purges")
        await asyncio.sleep(every.total_seconds())
