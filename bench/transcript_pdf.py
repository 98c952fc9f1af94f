"""`python -m bench.transcript_pdf [ENTRIES]`: the PDF (and HTML) transcript of a
room of ENTRIES messages (10,000 by default), made in this process from a made-up
conversation (customer and agent in turn, a note now and then, a file on some)
that is generated as it is read, as the transcript job reads a room from the
database a page at a time. It drives the same streaming path as the job (two
layout passes, chunks of pages joined into one file) and prints wall time, process
CPU time and the process's peak memory; `make bench` (scenario `reads`) also reads
the room from a database."""

from __future__ import annotations

import resource
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from caseroom.config import Settings
from caseroom.domain.model import AuthorKind, MessageKind, Room
from caseroom.domain.transcript import Audience, TranscriptEntry, TranscriptHead
from caseroom.rendering.transcript_html import stream_html
from caseroom.rendering.transcript_pdf import stream_pdf

_TEXT = "the parcel arrived, but the zip on the Ridge 38 pack is broken: can you help? "
_START = datetime(2026, 1, 1, tzinfo=UTC)


def head(entries: int) -> TranscriptHead:
    return TranscriptHead(
        "Northwind", "ABC123", "Broken zip", "Jane Doe", ("Ana Agent",), Room.PUBLIC,
        Audience.AGENTS, _START, _START, _START, 1, entries,
    )  # fmt: skip


def conversation(entries: int) -> Iterator[TranscriptEntry]:
    for n in range(entries):
        yield TranscriptEntry(
            time=_START + timedelta(seconds=n),
            seq=n + 1,
            author="Jane Doe" if n % 2 else "Ana Agent",
            author_kind=AuthorKind.CUSTOMER if n % 2 else AuthorKind.AGENT,
            channel="chat",
            kind=MessageKind.NOTE if n % 17 == 0 else MessageKind.MESSAGE,
            body=f"Message {n}: " + _TEXT * (1 + n % 3),
            files=("photo.png",) if n % 50 == 0 else (),
        )


@dataclass(frozen=True, slots=True)
class Figures:
    wall: float
    cpu: float
    size: int


def timed(make: Callable[[Path], None]) -> Figures:
    with tempfile.TemporaryDirectory() as work:
        out = Path(work) / "out"
        wall, cpu = time.perf_counter(), time.process_time()
        make(out)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        return Figures(wall, cpu, out.stat().st_size)


def pdf(entries: int) -> Figures:
    def make(out: Path) -> None:
        with out.open("wb") as file:
            stream_pdf(head(entries), lambda: conversation(entries), font_dir, file)

    font_dir = Settings().transcript_font_dir
    return timed(make)


def html(entries: int) -> Figures:
    def make(out: Path) -> None:
        with out.open("w", encoding="utf-8") as file:
            stream_html(head(entries), conversation(entries), file)

    return timed(make)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    entries = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    made = html(entries)
    print(
        f"{entries} entries, HTML: {made.wall:.2f} s wall, {made.cpu:.2f} s CPU, "
        f"{made.size / 1e6:.1f} MB (target: 10,000 entries in <= 0.5 s)"
    )
    made = pdf(entries)
    print(
        f"{entries} entries, PDF: {made.wall:.2f} s wall, {made.cpu:.2f} s CPU, "
        f"{made.size / 1e6:.1f} MB, peak RSS {peak_rss_mb():.0f} MB "
        "(target: 10,000 entries in <= 5 s, memory flat in the room's length)"
    )


if __name__ == "__main__":
    main()
