"""The ringing timeout's job: a call nobody answered in time ends as missed.
The process that started the call also runs a timer for it; this job is what
ends it when that process is gone."""

from __future__ import annotations

from caseroom.domain.records import Job
from caseroom.jobs.worker import Complete, Handler
from caseroom.services.calls import ring_out
from caseroom.services.common import utcnow
from caseroom.storage.uow import UnitOfWork


def ring_out_handler() -> Handler:
    async def handle(job: Job) -> Complete:
        async def complete(uow: UnitOfWork) -> None:
            await ring_out(uow, job.org_id, str(job.payload["call_id"]), utcnow())

        return complete

    return handle
