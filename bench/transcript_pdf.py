"""`python -m bench.transcript_pdf [ENTRIES]`: the PDF transcript of a room of
ENTRIES messages (10,000 by default), rendered in this process from a made-up
conversation (customer and agent in turn, a note now and then, a file on some),
timed with process CPU and wall time, with the process's peak memory. It isolates
the renderer, where `make bench` (scenario `reads`) also reads the room."""

from __future__ import annotations

import resource
import sys
import time
from datetime import UTC, datetime, timedelta

from caseroom.config import Settings
from caseroom.domain.model import AuthorKind, MessageKind, Room
from caseroom.domain.transcript import Audience, Transcript, TranscriptEntry
from caseroom.rendering.transcript_pdf import render_pdf

_TEXT = "the parcel arrived, but the zip on the Ridge 38 pack is broken: can you help? "


def conversation(entries: int) -> Transcript:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    made = tuple(
        TranscriptEntry(
            time=start + timedelta(seconds=n),
            seq=n + 1,
            author="Jane Doe" if n % 2 else "Ana Agent",
            author_kind=AuthorKind.CUSTOMER if n % 2 else AuthorKind.AGENT,
            channel="chat",
            kind=MessageKind.NOTE if n % 17 == 0 else MessageKind.MESSAGE,
            body=f"Message {n}: " + _TEXT * (1 + n % 3),
            files=("photo.png",) if n % 50 == 0 else (),
        )
        for n in range(entries)
    )
    return Transcript(
        "Northwind", "ABC123", "Broken zip", "Jane Doe", ("Ana Agent",), Room.PUBLIC,
        Audience.AGENTS, start, start, start, 1, made,
    )  # fmt: skip


def main() -> None:
    entries = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    transcript = conversation(entries)
    font_dir = Settings().transcript_font_dir
    wall, cpu = time.perf_counter(), time.process_time()
    data = render_pdf(transcript, font_dir)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"{entries} entries: {wall:.2f} s wall, {cpu:.2f} s CPU, {len(data) / 1e6:.1f} MB PDF, "
        f"peak RSS {peak_mb:.0f} MB (target: 10,000 entries in <= 5 s)"
    )


if __name__ == "__main__":
    main()
