"""The calls' jobs: a call nobody answered in time ends as missed, and a
participant whose socket dropped and who did not rejoin leaves. The process
involved also runs a timer for each; the job is what acts when it is gone."""

from __future__ import annotations

from caseroom.domain.records import Job
from caseroom.jobs.worker import Complete, Handler
from caseroom.services.calls import leave_dropped, ring_out
from caseroom.services.common import utcnow
from caseroom.storage.uow import UnitOfWork


def ring_out_handler() -> Handler:
    async def handle(job: Job) -> Complete:
        async def complete(uow: UnitOfWork) -> None:
            await ring_out(uow, job.org_id, str(job.payload["call_id"]), utcnow())

        return complete

    return handle


def leave_dropped_handler() -> Handler:
    async def handle(job: Job) -> Complete:
        call_id, connection_id = str(job.payload["call_id"]), str(job.payload["connection_id"])

        async def complete(uow: UnitOfWork) -> None:
            await leave_dropped(uow, job.org_id, call_id, connection_id, utcnow())

        return complete

    return handle
