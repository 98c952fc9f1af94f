"""A transcript as an A4 PDF (fpdf2). Text is set in DejaVu Sans, embedded, so any
language prints; without that font the core Helvetica is used and characters
outside Latin-1 print as '?', with a warning in the log."""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import MethodReturnValue, XPos, YPos

from caseroom.domain.model import AuthorKind, MessageKind
from caseroom.domain.transcript import Audience, Transcript, TranscriptEntry

log = logging.getLogger(__name__)

# Both in Debian's fonts-dejavu-core. No italic face there: emphasis is weight and color.
FONT_FILES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf"}
_INK = (29, 35, 43)
_MUTED = (91, 102, 115)
_RULE = (201, 209, 218)
_NOTE_FILL = (255, 246, 199)
_NOTE_INK = (133, 100, 0)
_ACCENT = {
    AuthorKind.CUSTOMER: (47, 111, 179),
    AuthorKind.AGENT: (59, 138, 90),
    AuthorKind.BOT: (138, 95, 191),
    AuthorKind.SYSTEM: (201, 209, 218),
}


def _when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S UTC") if value else "not resolved"


class _Document(FPDF):
    def __init__(self, transcript: Transcript, font_dir: Path) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.transcript = transcript
        self.family = "Helvetica"
        self.unicode = False
        if all((font_dir / name).is_file() for name in FONT_FILES.values()):
            for style, name in FONT_FILES.items():
                self.add_font("DejaVu", style, str(font_dir / name))
            self.family, self.unicode = "DejaVu", True
        else:
            log.warning(
                "DejaVu fonts not found in %s: PDF transcripts fall back to Helvetica "
                "(Latin-1 only; install fonts-dejavu-core)",
                font_dir,
            )
        self.set_margins(20, 18, 20)
        self.set_auto_page_break(True, margin=18)
        self.set_title(transcript.title)
        self.set_author(transcript.organization)
        self.set_creator("caseroom")
        self.set_creation_date(transcript.generated_at)

    def text_of(self, value: str) -> str:
        return value if self.unicode else value.encode("latin-1", "replace").decode("latin-1")

    def font(self, style: str = "", size: float = 10, color: tuple[int, int, int] = _INK) -> None:
        self.set_font(self.family, style, size)
        self.set_text_color(*color)

    def footer(self) -> None:
        self.set_y(-12)
        self.font("", 8, _MUTED)
        t = self.transcript
        version = f" · version {t.version}" if t.version is not None else ""
        self.cell(0, 5, self.text_of(f"{t.title}{version}"), align="L")
        self.set_x(self.l_margin)
        self.cell(0, 5, f"Page {self.page_no()} of {{nb}}", align="R")


def _header(pdf: _Document) -> None:
    t = pdf.transcript
    width = pdf.epw
    pdf.font("", 8, _MUTED)
    pdf.cell(width, 5, pdf.text_of(t.organization), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.font("B", 17)
    pdf.multi_cell(width, 8, pdf.text_of(t.title), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.font("", 12, (54, 64, 75))
    pdf.multi_cell(width, 6, pdf.text_of(t.subject), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(3)
    rows = [
        ("Reference", t.reference),
        ("Customer", t.customer),
        ("Agents", ", ".join(t.agents) or "none"),
        ("Created", _when(t.created_at)),
        ("Resolved", _when(t.resolved_at)),
        ("Messages", str(len(t.entries))),
    ]
    if t.version is not None:
        rows.append(("Version", str(t.version)))
    for key, value in rows:
        pdf.font("", 9, _MUTED)
        pdf.cell(32, 5, key)
        pdf.font("", 9)
        pdf.multi_cell(width - 32, 5, pdf.text_of(value), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(2)
    pdf.font("", 8, _MUTED)
    if t.audience is Audience.CUSTOMER:
        notice = "Copy for the customer: the conversation as the customer saw it."
    else:
        notice = "Internal record: notes are marked NOTE and are never sent to the customer."
    pdf.cell(width, 5, notice, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_draw_color(*_INK)
    pdf.set_line_width(0.5)
    pdf.line(pdf.l_margin, pdf.get_y() + 1, pdf.l_margin + width, pdf.get_y() + 1)
    pdf.ln(5)


def _height(pdf: _Document, width: float, line: float, text: str, style: str, size: float) -> float:
    pdf.font(style, size)
    height = pdf.multi_cell(
        width, line, pdf.text_of(text), dry_run=True, output=MethodReturnValue.HEIGHT
    )
    assert isinstance(height, int | float)
    return float(height)


def _keep_together(pdf: _Document, entry: TranscriptEntry, meta: str, width: float) -> None:
    """Start an entry on a new page rather than split it, unless it is taller than a page."""
    needed = _height(pdf, width, 4.5, meta, "B", 8) + (5 if entry.kind is MessageKind.NOTE else 0)
    if entry.body:
        needed += _height(pdf, width, 5, entry.body, "", 9.5)
    if entry.files:
        needed += _height(pdf, width, 4.5, "Attached: " + ", ".join(entry.files), "", 8)
    room_left = pdf.page_break_trigger - pdf.get_y()
    if needed > room_left and needed < pdf.page_break_trigger - pdf.t_margin:
        pdf.add_page()


def _entry(pdf: _Document, entry: TranscriptEntry) -> None:
    note = entry.kind is MessageKind.NOTE
    event = entry.kind is MessageKind.EVENT
    width = pdf.epw - 4
    x = pdf.l_margin + 4
    meta = f"{_when(entry.time)}  ·  {entry.author}  ·  via {entry.channel}  ·  {entry.label}"
    _keep_together(pdf, entry, meta, width)
    page, top = pdf.page_no(), pdf.get_y()
    pdf.set_fill_color(*_NOTE_FILL)
    if note:
        pdf.set_x(x)
        pdf.font("B", 8, _NOTE_INK)
        pdf.cell(width, 5, "NOTE · agents only", fill=True, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_x(x)
    pdf.font("" if event else "B", 8, _MUTED)
    pdf.multi_cell(width, 4.5, pdf.text_of(meta), fill=note, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    if entry.body:
        pdf.set_x(x)
        pdf.font("", 9 if event else 9.5, _MUTED if event else _INK)
        pdf.multi_cell(
            width, 5, pdf.text_of(entry.body), fill=note, new_x=XPos.LMARGIN, new_y=YPos.NEXT
        )
    if entry.files:
        pdf.set_x(x)
        pdf.font("", 8, (54, 64, 75))
        files = "Attached: " + ", ".join(entry.files)
        pdf.multi_cell(
            width, 4.5, pdf.text_of(files), fill=note, new_x=XPos.LMARGIN, new_y=YPos.NEXT
        )
    if pdf.page_no() == page and not event:
        color = _NOTE_INK if note else _ACCENT[entry.author_kind]
        pdf.set_fill_color(*color)
        pdf.rect(pdf.l_margin, top, 1.2, pdf.get_y() - top, style="F")
    pdf.ln(3)


def render_pdf(transcript: Transcript, font_dir: Path) -> bytes:
    pdf = _Document(transcript, font_dir)
    pdf.alias_nb_pages()
    pdf.add_page()
    _header(pdf)
    if not transcript.entries:
        pdf.font("", 10, _MUTED)
        pdf.cell(pdf.epw, 6, "No messages.")
    for entry in transcript.entries:
        _entry(pdf, entry)
    return bytes(pdf.output())
