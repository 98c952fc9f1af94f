"""The PDF transcript of a room too long to draw at once: drawn in chunks of pages
and joined, it reads as one document."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pypdf import PdfReader

from caseroom.config import Settings
from caseroom.domain.model import AuthorKind, MessageKind, Room
from caseroom.domain.transcript import Audience, TranscriptEntry, TranscriptHead
from caseroom.rendering.transcript_pdf import TranscriptChanged, stream_pdf

START = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
FONTS = Settings().transcript_font_dir


def head(count: int) -> TranscriptHead:
    return TranscriptHead(
        "Acme Ltd", "K7PX2M", "Late parcel", "Casey <casey@example.test>", ("Ana Agent",),
        Room.PUBLIC, Audience.AGENTS, START, START, START, 3, count,
    )  # fmt: skip


def entries(count: int) -> Iterator[TranscriptEntry]:
    for n in range(count):
        note = n % 7 == 3
        yield TranscriptEntry(
            time=START + timedelta(minutes=n),
            seq=n + 1,
            author="Ana Agent" if n % 2 else "Casey",
            author_kind=AuthorKind.AGENT if n % 2 else AuthorKind.CUSTOMER,
            channel="chat",
            kind=MessageKind.NOTE if note else MessageKind.MESSAGE,
            body=f"Entry {n:03d} says" + " the parcel is late" * (1 + n % 9),
            files=("label.png",) if n % 10 == 0 else (),
        )


def render(count: int, chunk_pages: int) -> PdfReader:
    out = io.BytesIO()
    stream_pdf(head(count), lambda: entries(count), FONTS, out, chunk_pages=chunk_pages)
    return PdfReader(io.BytesIO(out.getvalue()))


def test_a_transcript_drawn_in_chunks_reads_as_one_document() -> None:
    reader = render(150, chunk_pages=2)
    texts = [page.extract_text() for page in reader.pages]
    total = len(texts)
    assert total > 6  # several chunks of two pages, joined

    for number, text in enumerate(texts, start=1):
        assert f"Page {number} of {total}" in text
        assert "K7PX2M · Public room transcript · version 3" in text
    whole = "\n".join(texts)
    said = re.findall(r"Entry (\d{3}) says", whole)
    assert said == [f"{n:03d}" for n in range(150)]  # every entry once, in order
    assert "Messages 150" in texts[0]

    # Each note is marked, and only notes are.
    for n in range(150):
        start = whole.index(f"Entry {n:03d} says")
        before = whole[max(whole.rfind("UTC", 0, start) - 40, 0) : start]
        assert ("Note (agents only)" in before) is (n % 7 == 3)
    assert whole.count("NOTE · agents only") == len([n for n in range(150) if n % 7 == 3])

    meta = reader.metadata
    assert meta is not None
    assert meta.title == "K7PX2M · Public room transcript"
    assert meta.author == "Acme Ltd"
    assert meta.creator == "caseroom"
    assert meta.creation_date == START


def test_the_same_transcript_in_one_chunk_or_many_has_the_same_pages() -> None:
    one = [page.extract_text() for page in render(60, chunk_pages=1000).pages]
    many = [page.extract_text() for page in render(60, chunk_pages=3).pages]
    assert one == many


def test_a_room_that_reads_differently_the_second_time_is_not_numbered_wrongly(
    tmp_path: Path,
) -> None:
    reads = iter([60, 90])

    def changing() -> Iterator[TranscriptEntry]:
        return entries(next(reads))

    with (tmp_path / "out.pdf").open("wb") as out, pytest.raises(TranscriptChanged):
        stream_pdf(head(60), changing, FONTS, out, chunk_pages=3)
