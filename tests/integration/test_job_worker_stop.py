"""Stopping the job worker: it stops even when it is woken at the same moment
(a commit that enqueued a job, as a server shuts down). Python 3.11's
`asyncio.wait_for` could take that wake-up for the answer and swallow the
cancellation, leaving the worker polling and its shutdown waiting forever."""

from __future__ import annotations

import asyncio

from caseroom.config import Settings
from caseroom.jobs.worker import JobWorker
from caseroom.storage.uow import Database


async def test_a_worker_woken_as_it_is_stopped_stops(db: Database, settings: Settings) -> None:
    for _ in range(20):
        worker = JobWorker(db, {}, settings)
        await worker.start()
        await worker.settle()  # idle: waiting for a wake-up or the next poll
        worker.nudge()  # woken ...
        stopping = asyncio.ensure_future(worker.stop())  # ... and stopped at once
        done, _ = await asyncio.wait({stopping}, timeout=10)
        assert done, "the worker never stopped"
