"""`python -m bench.transcript_pdf [ENTRIES] [--json]`: the PDF (and HTML) transcript of a
room of ENTRIES messages (10,000 by default), made in this process from a made-up
conversation (customer and agent in turn, a note now and then, a file on some)
that is generated as it is read, as the transcript job reads a room from the
database a page at a time. It drives the same streaming path as the job (two
layout passes, chunks of pages joined into one file) and prints wall time, process
CPU time and the process's peak memory; `make bench` (scenario `reads`) also reads
the room from a database, and runs this in a process of its own for 10,000 and
100,000 entries, so that the peak memory is the renderer's alone."""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

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


def measure(entries: int) -> dict[str, Any]:
    made_html = html(entries)
    made_pdf = pdf(entries)
    return {
        "entries": entries,
        "html_s": made_html.wall,
        "html_cpu_s": made_html.cpu,
        "html_bytes": made_html.size,
        "pdf_s": made_pdf.wall,
        "pdf_cpu_s": made_pdf.cpu,
        "pdf_bytes": made_pdf.size,
        "peak_rss_mb": peak_rss_mb(),
    }


def in_subprocess(entries: int) -> dict[str, Any]:
    """`measure(entries)` in a fresh process: its peak memory is the renderer's."""
    done = subprocess.run(
        [sys.executable, "-m", "bench.transcript_pdf", str(entries), "--json"],
        check=True,
        capture_output=True,
        text=True,
    )
    found: dict[str, Any] = json.loads(done.stdout.splitlines()[-1])
    return found


def main() -> None:
    entries = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    made = measure(entries)
    if "--json" in sys.argv[2:]:
        print(json.dumps(made))
        return
    print(
        f"{entries} entries, HTML: {made['html_s']:.2f} s wall, {made['html_cpu_s']:.2f} s CPU, "
        f"{made['html_bytes'] / 1e6:.1f} MB (target: 10,000 entries in <= 0.5 s)"
    )
    print(
        f"{entries} entries, PDF: {made['pdf_s']:.2f} s wall, {made['pdf_cpu_s']:.2f} s CPU, "
        f"{made['pdf_bytes'] / 1e6:.1f} MB; peak RSS {made['peak_rss_mb']:.0f} MB "
        "(target: 10,000 entries in <= 5 s, memory flat in the room's length)"
    )


if __name__ == "__main__":
    main()
