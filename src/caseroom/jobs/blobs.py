"""The blob release job: delete stored files that nothing refers to any more.
It runs after the transaction that let go of them committed; a blob that some
row uses again by then is kept."""

from __future__ import annotations

from caseroom.domain.records import Job
from caseroom.jobs.worker import Complete, Handler
from caseroom.services.blobs import unreferenced
from caseroom.storage.blobs import BlobStore
from caseroom.storage.uow import Database, UnitOfWork


def blob_release_handler(db: Database, store: BlobStore) -> Handler:
    async def handle(job: Job) -> Complete:
        candidates = [str(s) for s in job.payload["sha256"]]

        async def unused(uow: UnitOfWork) -> list[str]:
            return await unreferenced(uow, job.org_id, candidates)

        for sha256 in await db.read(unused):
            await store.delete(job.org_id, sha256)

        async def complete(uow: UnitOfWork) -> None:
            return None

        return complete

    return handle
