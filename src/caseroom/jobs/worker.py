"""The job worker: runs what the outbox (the jobs table) holds, after the
transactions that wrote it have committed.

A handler does the slow part outside any transaction (render, store blobs) and
returns the work that records its result; that work and marking the job done
commit together. A failure reschedules the job with exponential backoff until
`job_max_attempts`; a crash leaves the job leased, and it is claimed again when
the lease runs out. Handlers must be idempotent: a job can run more than once."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

import structlog

from caseroom.config import Settings
from caseroom.domain.records import Job
from caseroom.storage.uow import Database, UnitOfWork

log = logging.getLogger(__name__)

Complete = Callable[[UnitOfWork], Awaitable[None]]
Handler = Callable[[Job], Awaitable[Complete]]
_BATCH = 20


def _now() -> datetime:
    return datetime.now(UTC)


class RetryLater(Exception):
    """An expected failure (a provider, relay or bot that is down, a timeout):
    the job runs again after the backoff, and the log says so in one line rather
    than with a stack trace."""


class JobWorker:
    def __init__(self, db: Database, handlers: dict[str, Handler], settings: Settings) -> None:
        self._db = db
        self._handlers = handlers
        self._settings = settings
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._started = 0  # passes begun
        self._quiet = 0  # the latest pass that found nothing due
        self._changed = asyncio.Condition()
        self._stopping = False

    # -- lifecycle ------------------------------------------------------------

    async def start(self) -> None:
        self._stopping = False
        self._task = asyncio.create_task(self._loop(), name="job-worker")

    async def stop(self) -> None:
        """Stop the loop. A cancellation can be swallowed on its way down (a wait
        that finishes as it is cancelled takes the result instead), so the loop
        also checks a flag, and stop() cancels again until the task is done."""
        task, self._task = self._task, None
        if task is None:
            return
        self._stopping = True
        self._wake.set()
        while not task.done():
            task.cancel()
            await asyncio.wait({task}, timeout=1.0)
        with contextlib.suppress(asyncio.CancelledError):
            task.result()

    def nudge(self) -> None:
        """Look for due jobs now rather than at the next poll."""
        self._wake.set()

    async def settle(self) -> None:
        """Wait until a pass that began after this call found nothing due: every job
        enqueued before the call has been run (done, or rescheduled for later)."""
        target = self._started + 1
        self.nudge()
        async with self._changed:
            await self._changed.wait_for(lambda: self._quiet >= target)

    async def _loop(self) -> None:
        while not self._stopping:
            self._wake.clear()
            self._started += 1
            this_pass = self._started
            try:
                ran = await self.run_due()
            except Exception:
                log.exception("job worker pass failed")
                ran = 0
            if ran:
                continue
            async with self._changed:
                self._quiet = this_pass
                self._changed.notify_all()
            # asyncio.timeout, not wait_for: Python 3.11's wait_for returns the
            # wake-up when it comes with a cancellation (a commit nudging the worker
            # as the server stops), swallowing the cancellation, and stop() waits
            # for ever.
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self._settings.job_poll_seconds):
                    await self._wake.wait()

    # -- running jobs ------------------------------------------------------------

    async def run_due(self) -> int:
        """Claim and run the jobs that are due now; returns how many ran."""
        ran = 0
        while True:
            ids = await self._db.read(lambda uow: uow.jobs.due_ids(_now(), _BATCH))
            claimed = 0
            for job_id in ids:
                job = await self._claim(job_id)
                if job is not None:
                    claimed += 1
                    await self.run(job)
            ran += claimed
            if len(ids) < _BATCH or not claimed:
                return ran

    async def _claim(self, job_id: str) -> Job | None:
        lease = timedelta(seconds=self._settings.job_lease_seconds)

        async def work(uow: UnitOfWork) -> Job | None:
            return await uow.jobs.claim(job_id, _now(), lease)

        return await self._db.run(work)

    async def run(self, job: Job) -> None:
        """Run one claimed job and record the outcome; its log lines carry the job
        and the request that caused it."""
        context = {"job_id": job.id, "job_kind": job.kind, "request_id": job.request_id}
        with structlog.contextvars.bound_contextvars(**context):
            await self._run(job)

    async def _run(self, job: Job) -> None:
        try:
            handler = self._handlers[job.kind]
            complete = await handler(job)

            async def finish(uow: UnitOfWork) -> None:
                await complete(uow)
                await uow.jobs.finish(job.id, _now())

            await self._db.run(finish)
            log.info("job %s done on attempt %d", job.kind, job.attempts)
        except RetryLater as error:
            log.warning(
                "job %s (%s) failed on attempt %d: %s", job.id, job.kind, job.attempts, error
            )
            await self._reschedule(job, error)
        except Exception as error:
            log.exception("job %s (%s) failed on attempt %d", job.id, job.kind, job.attempts)
            await self._reschedule(job, error)

    async def _reschedule(self, job: Job, error: Exception) -> None:
        settings = self._settings
        delay = min(
            settings.job_retry_base_seconds * 2 ** max(job.attempts - 1, 0),
            settings.job_retry_max_seconds,
        )
        give_up = job.attempts >= settings.job_max_attempts
        now = _now()

        async def work(uow: UnitOfWork) -> None:
            await uow.jobs.reschedule(
                job.id,
                run_after=now + timedelta(seconds=delay),
                error=f"{type(error).__name__}: {error}"[:2000],
                give_up=give_up,
                now=now,
            )

        try:
            await self._db.run(work)
        except Exception:
            # The lease runs out and the job is claimed again.
            log.exception("could not reschedule job %s", job.id)
