"""Documents made from domain objects (transcripts as HTML and PDF)."""

from __future__ import annotations

from pathlib import Path

from caseroom.domain.transcript import Transcript, TranscriptFormat
from caseroom.rendering.transcript_html import render_html
from caseroom.rendering.transcript_pdf import render_pdf


def render_transcript(transcript: Transcript, fmt: TranscriptFormat, font_dir: Path) -> bytes:
    if fmt is TranscriptFormat.HTML:
        return render_html(transcript)
    return render_pdf(transcript, font_dir)
