"""The transcript jobs: file a resolution's rooms (HTML and PDF), and render filed
versions again after a redaction. Each reads what goes in the documents, renders
and stores them outside any transaction, and records the files in the job's
completing transaction."""

from __future__ import annotations

import asyncio
from pathlib import Path

from caseroom.domain.records import Job
from caseroom.domain.transcript import CONTENT_TYPES, TranscriptFormat
from caseroom.jobs.worker import Complete, Handler
from caseroom.rendering import render_transcript
from caseroom.services import transcript_filing as filing
from caseroom.services.transcripts import Resolution
from caseroom.storage.blobs import BlobStore
from caseroom.storage.uow import Database, UnitOfWork


async def _render(
    store: BlobStore, org_id: str, gathered: filing.Gathered, font_dir: Path
) -> list[filing.RenderedFile]:
    files = []
    for resolution_id, document in gathered.documents:
        for fmt in TranscriptFormat:
            data = await asyncio.to_thread(render_transcript, document, fmt, font_dir)
            sha256, size = await store.put(org_id, data)
            files.append(
                filing.RenderedFile(
                    resolution_id=resolution_id,
                    room=document.room,
                    format=fmt,
                    filename=document.filename(fmt),
                    content_type=CONTENT_TYPES[fmt],
                    sha256=sha256,
                    size=size,
                )
            )
    return files


def transcripts_handler(db: Database, store: BlobStore, font_dir: Path) -> Handler:
    async def handle(job: Job) -> Complete:
        resolution = Resolution.from_payload(job.payload)

        async def gather(uow: UnitOfWork) -> filing.Gathered | None:
            return await filing.gather_for_filing(uow, job.org_id, resolution)

        gathered = await db.read(gather)
        files = await _render(store, job.org_id, gathered, font_dir) if gathered else []

        async def complete(uow: UnitOfWork) -> None:
            if gathered is not None:
                await filing.file_transcripts(
                    uow, job.org_id, resolution, files, gathered.redactions
                )

        return complete

    return handle


def rerender_handler(db: Database, store: BlobStore, font_dir: Path) -> Handler:
    async def handle(job: Job) -> Complete:
        rerender = filing.Rerender.from_payload(job.payload)

        async def gather(uow: UnitOfWork) -> filing.Gathered:
            return await filing.gather_for_rerender(uow, job.org_id, rerender)

        gathered = await db.read(gather)
        files = await _render(store, job.org_id, gathered, font_dir)

        async def complete(uow: UnitOfWork) -> None:
            await filing.replace_rendered(uow, job.org_id, rerender, files, gathered.redactions)

        return complete

    return handle
