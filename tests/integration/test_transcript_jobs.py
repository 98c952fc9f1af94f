"""The transcript job: durable across a restart, retried on failure, and filed
exactly once per resolution however often it runs."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import httpx

from caseroom.app import create_app
from caseroom.config import Settings
from caseroom.domain.records import Job
from caseroom.jobs import job_handlers
from caseroom.jobs.worker import JobWorker
from caseroom.services.transcripts import TRANSCRIPTS_JOB
from caseroom.storage.blobs import BlobStore, StagedBlob
from caseroom.storage.uow import Database, UnitOfWork
from tests.builders import Org, make_org, send, start_chat


class FailingStore:
    """The real blob store, except that the first `failures` writes for one
    organization fail."""

    def __init__(self, inner: BlobStore, org_id: str, failures: int) -> None:
        self._inner = inner
        self._org_id = org_id
        self.failures = failures

    async def put(self, org_id: str, data: bytes) -> tuple[str, int]:
        if self.failures and org_id == self._org_id:
            self.failures -= 1
            raise OSError("No space left on device")
        return await self._inner.put(org_id, data)

    def writer(self, org_id: str, head_bytes: int):  # type: ignore[no-untyped-def]
        return self._inner.writer(org_id, head_bytes)

    async def keep(self, staged: StagedBlob) -> bool:
        return await self._inner.keep(staged)

    async def discard(self, staged: StagedBlob) -> None:
        await self._inner.discard(staged)

    async def exists(self, org_id: str, sha256: str) -> bool:
        return await self._inner.exists(org_id, sha256)

    async def delete(self, org_id: str, sha256: str) -> None:
        await self._inner.delete(org_id, sha256)

    def read(self, org_id: str, sha256: str) -> AsyncIterator[bytes]:
        return self._inner.read(org_id, sha256)


async def resolve_without_worker(client: httpx.AsyncClient, org: Org) -> str:
    """A resolved Issue whose transcript job the app's worker did not run (it is
    stopped, as if the process died right after the resolution committed)."""
    await client.app.state.context.worker.stop()  # type: ignore[attr-defined]
    chat = await start_chat(client, org, message="Where is my order?")
    agent = org.auth(org.ana)
    await client.post(f"/api/v1/issues/{chat.issue_id}/claim", headers=agent)
    await send(client, agent, chat.issue_id, body="It ships today.")
    resolved = await client.post(f"/api/v1/issues/{chat.issue_id}/resolve", headers=agent)
    assert resolved.status_code == 200
    return chat.issue_id


async def jobs_of(db: Database, org: Org) -> list[Job]:
    async def work(uow: UnitOfWork) -> list[Job]:
        return await uow.jobs.for_org(org.org.id, TRANSCRIPTS_JOB)

    return await db.read(work)


async def filed(client: httpx.AsyncClient, org: Org, issue_id: str) -> list[dict[str, object]]:
    listed = await client.get(f"/api/v1/issues/{issue_id}/transcripts", headers=org.auth(org.ana))
    items: list[dict[str, object]] = listed.json()["items"]
    return items


def worker_for(client: httpx.AsyncClient, settings: Settings, store: BlobStore) -> JobWorker:
    context = client.app.state.context  # type: ignore[attr-defined]
    handlers = job_handlers(context.db, store, settings.transcript_font_dir)
    quick = settings.model_copy(update={"job_retry_base_seconds": 0.0})
    return JobWorker(context.db, handlers, quick)


async def test_a_failed_job_is_retried_and_files_exactly_once(
    client: httpx.AsyncClient, db: Database, settings: Settings
) -> None:
    org = await make_org(db)
    issue_id = await resolve_without_worker(client, org)
    store = FailingStore(client.app.state.context.blobs, org.org.id, 1)  # type: ignore[attr-defined]
    worker = worker_for(client, settings, store)

    # Other tests' unfinished jobs may share the database: count this org's only.
    assert await worker.run_due() >= 1
    [job] = await jobs_of(db, org)
    assert (job.state, job.attempts) == ("pending", 1)
    assert job.last_error is not None and "No space left" in job.last_error
    assert await filed(client, org, issue_id) == []

    assert await worker.run_due() >= 1
    [job] = await jobs_of(db, org)
    assert (job.state, job.attempts) == ("done", 2)
    assert len(await filed(client, org, issue_id)) == 4

    # Run again, as a second worker would after a lease ran out: nothing new.
    await worker.run(job)
    await asyncio.gather(worker.run(job), worker.run(job))
    files = await filed(client, org, issue_id)
    assert len(files) == 4
    assert {f["version"] for f in files} == {1}


async def test_two_workers_racing_on_one_resolution_file_it_once(
    client: httpx.AsyncClient, db: Database, settings: Settings
) -> None:
    org = await make_org(db)
    issue_id = await resolve_without_worker(client, org)
    worker = worker_for(client, settings, client.app.state.context.blobs)  # type: ignore[attr-defined]
    [job] = await jobs_of(db, org)
    await asyncio.gather(worker.run(job), worker.run(job), worker.run(job))
    files = await filed(client, org, issue_id)
    assert sorted((f["room"], f["format"]) for f in files) == [
        ("private", "html"),
        ("private", "pdf"),
        ("public", "html"),
        ("public", "pdf"),
    ]
    # The runs that lost the race let go of what they rendered: only the filed
    # files stay in the blob store.
    while await worker.run_due():
        pass
    filed_bytes = [
        (await client.get(str(f["download_path"]), headers=org.auth(org.ana))).content
        for f in files
    ]
    store = client.app.state.context.blobs  # type: ignore[attr-defined]
    kept = {path.name for path in (store.root / org.org.id).rglob("*") if path.is_file()}
    assert kept == {hashlib.sha256(content).hexdigest() for content in filed_bytes}


async def test_a_job_survives_a_restart_and_an_abandoned_lease(
    client: httpx.AsyncClient, db: Database, settings: Settings
) -> None:
    org = await make_org(db)
    issue_id = await resolve_without_worker(client, org)
    [job] = await jobs_of(db, org)

    # A worker claimed it, then its process died before finishing.
    async def claim(uow: UnitOfWork) -> Job | None:
        return await uow.jobs.claim(job.id, datetime.now(UTC), timedelta(seconds=0))

    assert await db.run(claim) is not None

    # The next process starts, and its worker picks the job up.
    restarted = create_app(settings)
    async with restarted.router.lifespan_context(restarted):
        await restarted.state.context.worker.settle()
    [job] = await jobs_of(db, org)
    assert (job.state, job.attempts) == ("done", 2)
    assert len(await filed(client, org, issue_id)) == 4


async def test_the_worker_gives_up_after_the_last_attempt(
    client: httpx.AsyncClient, db: Database, settings: Settings
) -> None:
    org = await make_org(db)
    issue_id = await resolve_without_worker(client, org)
    store = FailingStore(client.app.state.context.blobs, org.org.id, 100)  # type: ignore[attr-defined]
    worker = worker_for(client, settings.model_copy(update={"job_max_attempts": 3}), store)
    for _ in range(5):
        await worker.run_due()
    [job] = await jobs_of(db, org)
    assert (job.state, job.attempts) == ("failed", 3)
    assert await filed(client, org, issue_id) == []
