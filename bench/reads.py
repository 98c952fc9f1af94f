"""Read paths under volume: a page of history from a long room, and the inbox
queues of an agent in an organization with many Issues. Timed end to end over
HTTP, one request at a time."""

from __future__ import annotations

import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from bench.seed import BigOrg
from caseroom.domain.events import Event
from caseroom.domain.ids import new_id
from caseroom.domain.model import Room
from caseroom.domain.transcript import TranscriptFormat
from caseroom.jobs.transcripts import render_room
from caseroom.services import transcript_filing, transcripts
from caseroom.storage.database import create_engine
from caseroom.storage.uow import Database, UnitOfWork

WARM_UP = 10


async def _timed(http: httpx.AsyncClient, path: str, count: int, token: str) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {token}"}
    for _ in range(WARM_UP):
        (await http.get(path, headers=headers)).raise_for_status()
    times = []
    for _ in range(count):
        started = time.perf_counter()
        response = await http.get(path, headers=headers)
        times.append(time.perf_counter() - started)
        response.raise_for_status()
    items = len(response.json()["items"])
    times.sort()
    return {
        "path": path,
        "items": items,
        "p50_ms": times[len(times) // 2] * 1000,
        "p99_ms": times[min(len(times) - 1, int(len(times) * 0.99))] * 1000,
    }


async def measure(url: str, big: BigOrg, count: int) -> dict[str, Any]:
    room = f"/api/v1/issues/{big.history_issue_id}/rooms/public/messages"
    middle = big.history_messages // 2
    async with httpx.AsyncClient(base_url=url, timeout=30) as http:
        return {
            "issues_in_org": big.issues,
            "messages_in_room": big.history_messages,
            "messages_in_org": big.messages_in_org,
            "history_newest_page": await _timed(http, room, count, big.agent_token),
            "history_middle_page": await _timed(
                http, f"{room}?before={middle}", count, big.agent_token
            ),
            "inbox_unclaimed": await _timed(
                http, "/api/v1/issues?queue=unclaimed", count, big.agent_token
            ),
            "inbox_mine": await _timed(http, "/api/v1/issues?queue=mine", count, big.agent_token),
        }


async def transcript(url: str, big: BigOrg, font_dir: Path) -> dict[str, Any]:
    """Making the transcripts of the long room, as the transcript job does on
    resolution: read the room a page at a time and render HTML and PDF (in this
    process)."""
    engine = create_engine(url)
    db = Database(engine, _nowhere)
    resolution = transcripts.Resolution(
        issue_id=big.history_issue_id,
        resolution_id=new_id(),
        version=1,
        resolved_at=datetime.now(UTC),
        last_seq={Room.PUBLIC: big.history_messages, Room.PRIVATE: 0},
    )

    async def gather(uow: UnitOfWork) -> transcript_filing.Gathered | None:
        return await transcript_filing.gather_for_filing(uow, big.org_id, resolution)

    started = time.perf_counter()
    gathered = await db.read(gather)
    result: dict[str, Any] = {"messages": big.history_messages}
    assert gathered is not None
    _, public = gathered.documents[0]
    with tempfile.TemporaryDirectory() as work:
        _, paths = await render_room(db, public, font_dir, Path(work))
        # Reading and both documents: the job reads the room in pages, three times,
        # and writes the HTML as it draws the PDF.
        result["render_ms"] = (time.perf_counter() - started) * 1000
        for fmt in TranscriptFormat:
            result[f"{fmt.value}_bytes"] = paths[fmt].stat().st_size
    await engine.dispose()
    return result


async def _nowhere(_events: list[Event]) -> None:
    """Nothing is committed here: nobody to tell."""
