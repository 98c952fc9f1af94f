"""A room longer than one read: the transcript job goes through it a page of
messages at a time, in each of its passes, and files every message once, in order."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any

import httpx

from caseroom.config import Settings
from caseroom.jobs import job_handlers
from caseroom.jobs.transcripts import transcripts_handler
from caseroom.jobs.worker import JobWorker
from caseroom.services.transcripts import TRANSCRIPTS_JOB
from caseroom.storage.uow import Database, UnitOfWork
from tests.builders import make_org, send, start_chat
from tests.integration.test_transcripts_api import fetch, files_of, in_order, pdf_text

READ_PAGE = 4


class CountingDatabase:
    """The app's database, counting the read transactions it is asked for."""

    def __init__(self, inner: Database) -> None:
        self.inner = inner
        self.reads = 0

    async def read(self, work: Callable[[UnitOfWork], Awaitable[Any]]) -> Any:
        self.reads += 1
        return await self.inner.read(work)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


async def test_the_job_reads_a_long_room_a_page_at_a_time_and_files_all_of_it(
    client: httpx.AsyncClient, db: Database, settings: Settings
) -> None:
    org = await make_org(db)
    context = client.app.state.context  # type: ignore[attr-defined]
    await context.worker.stop()
    agent = org.auth(org.ana)
    chat = await start_chat(client, org, message="Line 00: my parcel is late")
    for n in range(1, 15):
        if n == 6:
            claimed = await client.post(f"/api/v1/issues/{chat.issue_id}/claim", headers=agent)
            assert claimed.status_code == 200, claimed.text
        kind = "note" if n == 9 else "message"
        writer = agent if n >= 6 and n % 2 else chat.auth  # the customer alone until the claim
        sent = await send(client, writer, chat.issue_id, body=f"Line {n:02d}: more", kind=kind)
        assert sent.status_code == 201, sent.text
    resolved = await client.post(f"/api/v1/issues/{chat.issue_id}/resolve", headers=agent)
    assert resolved.status_code == 200, resolved.text

    counting = CountingDatabase(context.db)
    font_dir = settings.transcript_font_dir
    handlers = dict(job_handlers(context.db, context.blobs, font_dir))
    handlers[TRANSCRIPTS_JOB] = transcripts_handler(counting, context.blobs, font_dir, READ_PAGE)  # type: ignore[arg-type]
    worker = JobWorker(context.db, handlers, settings)
    while await worker.run_due():
        pass

    files = {(f["room"], f["format"]): f for f in await files_of(client, org, chat.issue_id)}
    assert len(files) == 4
    lines = [f"Line {n:02d}" for n in range(15)]

    pdf = pdf_text((await fetch(client, org, files[("public", "pdf")])).content)
    timeline = pdf.split("never sent to the customer")[1]
    assert re.findall(r"Line \d\d", timeline) == lines  # each once, in order
    assert in_order(timeline, "Line 05", "claimed the Issue", "Line 06")
    assert in_order(timeline, "Line 08", "NOTE · agents only", "Line 09", "Line 10")
    assert in_order(timeline, "Line 14", "resolved the Issue")
    entries = len(lines) + 2  # and the claim and the resolution
    assert f"Messages {entries}" in pdf
    assert re.search(r"Page 1 of \d+", pdf)

    html = (await fetch(client, org, files[("public", "html")])).text
    assert re.findall(r"Line \d\d", html.split("</header>")[1]) == lines
    assert html.count("<li class=") == entries
    assert f"<dt>Messages</dt><dd>{entries}</dd>" in html

    # Three passes over the public room (15 messages: four reads each), and over
    # the private room (one read each), besides the first read of what to file.
    assert counting.reads >= 1 + 3 * 4 + 3 * 1
