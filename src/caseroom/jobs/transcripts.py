"""The transcripts job: render the rooms of one resolution (HTML and PDF), store
the files, and file them to the Issue in the job's completing transaction."""

from __future__ import annotations

import asyncio
from pathlib import Path

from caseroom.domain.transcript import CONTENT_TYPES, Transcript, TranscriptFormat
from caseroom.jobs.worker import Complete, Handler
from caseroom.rendering import render_transcript
from caseroom.services import transcripts
from caseroom.storage.blobs import BlobStore
from caseroom.storage.jobs import Job
from caseroom.storage.uow import Database, UnitOfWork


def transcripts_handler(db: Database, store: BlobStore, font_dir: Path) -> Handler:
    async def handle(job: Job) -> Complete:
        resolution = transcripts.Resolution.from_payload(job.payload)

        async def gather(uow: UnitOfWork) -> list[Transcript] | None:
            return await transcripts.gather_for_filing(uow, job.org_id, resolution)

        documents = await db.read(gather)
        files: list[transcripts.RenderedFile] = []
        for document in documents or []:
            for fmt in TranscriptFormat:
                data = await asyncio.to_thread(render_transcript, document, fmt, font_dir)
                sha256, size = await store.put(job.org_id, data)
                files.append(
                    transcripts.RenderedFile(
                        room=document.room,
                        format=fmt,
                        filename=document.filename(fmt),
                        content_type=CONTENT_TYPES[fmt],
                        sha256=sha256,
                        size=size,
                    )
                )

        async def complete(uow: UnitOfWork) -> None:
            if documents is not None:
                await transcripts.file_transcripts(uow, job.org_id, resolution, files)

        return complete

    return handle
