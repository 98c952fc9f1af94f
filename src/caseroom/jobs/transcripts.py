"""The transcript jobs: file a resolution's rooms (HTML and PDF), and render filed
versions again after a redaction. Each reads what goes in the documents, renders
and stores them outside any transaction, and records the files in the job's
completing transaction.

A room may hold a hundred thousand messages, so none is held at once: each
pass over a room reads it a page at a time, each page in its own short read.
The first pass learns the header (how many entries, which agents took part),
the second counts the PDF's pages, the third draws the PDF a chunk of pages at a
time and writes the HTML alongside; both go to temporary files, then to the blob
store. Should the room read differently from one pass to the next, rendering
fails and the job runs again."""

from __future__ import annotations

import asyncio
import tempfile
from collections.abc import Callable
from pathlib import Path

from caseroom.domain.records import Job
from caseroom.domain.transcript import (
    CONTENT_TYPES,
    TranscriptEntry,
    TranscriptFormat,
    TranscriptHead,
)
from caseroom.jobs.worker import Complete, Handler
from caseroom.rendering.transcript_html import html_end, html_entries, html_start
from caseroom.rendering.transcript_pdf import (
    Measure,
    PageCounter,
    PdfTranscript,
    TranscriptChanged,
)
from caseroom.services import transcript_filing as filing
from caseroom.services.transcripts import READ_PAGE, Resolution, RoomPass, RoomSource
from caseroom.storage.blobs import BlobStore
from caseroom.storage.uow import Database, UnitOfWork

Take = Callable[[list[TranscriptEntry]], None]


async def _read_through(db: Database, reading: RoomPass, take: Take | None = None) -> None:
    """One whole pass over a room, each page handed to `take` in a worker thread."""
    while (page := await db.read(reading.next_page)) is not None:
        if take is not None:
            await asyncio.to_thread(take, page)


async def render_room(
    db: Database, source: RoomSource, font_dir: Path, workdir: Path
) -> tuple[TranscriptHead, dict[TranscriptFormat, Path]]:
    """Both documents of one room, as files in `workdir`."""
    heading = source.reading()
    await _read_through(db, heading)
    head = source.head(heading)
    measure = await asyncio.to_thread(Measure, head, font_dir)
    counter = PageCounter(measure)
    await _read_through(db, source.reading(), counter.add)
    total = counter.finish()
    if counter.entries != head.count:
        raise TranscriptChanged("the room changed between two reads")
    chunks = Path(tempfile.mkdtemp(dir=workdir))
    pdf = await asyncio.to_thread(PdfTranscript, measure, total, chunks)
    paths = {fmt: workdir / f"{chunks.name}.{fmt.value}" for fmt in TranscriptFormat}
    with paths[TranscriptFormat.HTML].open("w", encoding="utf-8") as html:
        html.write(html_start(head))

        def draw(page: list[TranscriptEntry]) -> None:
            pdf.add(page)
            html.write(html_entries(page))

        await _read_through(db, source.reading(), draw)
        html.write(html_end(head))
    with paths[TranscriptFormat.PDF].open("wb") as out:
        await asyncio.to_thread(pdf.finish, out, entries=head.count)
    return head, paths


async def _render(
    db: Database, store: BlobStore, org_id: str, gathered: filing.Gathered, font_dir: Path
) -> list[filing.RenderedFile]:
    with tempfile.TemporaryDirectory(prefix="caseroom-transcripts-") as work:
        rendered = [
            (resolution_id, *await render_room(db, source, font_dir, Path(work)))
            for resolution_id, source in gathered.documents
        ]
        files = []
        for resolution_id, head, paths in rendered:
            for fmt in TranscriptFormat:
                with paths[fmt].open("rb") as data:
                    sha256, size = await store.put(org_id, data)
                files.append(
                    filing.RenderedFile(
                        resolution_id=resolution_id,
                        room=head.room,
                        format=fmt,
                        filename=head.filename(fmt),
                        content_type=CONTENT_TYPES[fmt],
                        sha256=sha256,
                        size=size,
                    )
                )
    return files


def transcripts_handler(
    db: Database, store: BlobStore, font_dir: Path, read_page: int = READ_PAGE
) -> Handler:
    async def handle(job: Job) -> Complete:
        resolution = Resolution.from_payload(job.payload)

        async def gather(uow: UnitOfWork) -> filing.Gathered | None:
            return await filing.gather_for_filing(uow, job.org_id, resolution, read_page)

        gathered = await db.read(gather)
        files = await _render(db, store, job.org_id, gathered, font_dir) if gathered else []

        async def complete(uow: UnitOfWork) -> None:
            if gathered is not None:
                await filing.file_transcripts(
                    uow, job.org_id, resolution, files, gathered.redactions
                )

        return complete

    return handle


def rerender_handler(
    db: Database, store: BlobStore, font_dir: Path, read_page: int = READ_PAGE
) -> Handler:
    async def handle(job: Job) -> Complete:
        rerender = filing.Rerender.from_payload(job.payload)

        async def gather(uow: UnitOfWork) -> filing.Gathered:
            return await filing.gather_for_rerender(uow, job.org_id, rerender, read_page)

        gathered = await db.read(gather)
        files = await _render(db, store, job.org_id, gathered, font_dir)

        async def complete(uow: UnitOfWork) -> None:
            await filing.replace_rendered(uow, job.org_id, rerender, files, gathered.redactions)

        return complete

    return handle
