"""A transcript as an A4 PDF (fpdf2). Text is set in DejaVu Sans, embedded, so any
language prints; without that font the core Helvetica is used and characters
outside Latin-1 print as '?', with a warning in the log."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from caseroom.domain.model import AuthorKind, MessageKind
from caseroom.domain.transcript import EMPTY_ROOM, Audience, Transcript, TranscriptEntry

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


class _Lines:
    """Line breaking for the entries, by word, from cached character widths: a long
    Issue's transcript is thousands of entries, and laying each out with
    multi_cell (which measures every line again at each character) costs
    seconds per thousand. Lines are then set with text(), one call each."""

    def __init__(self, pdf: _Document) -> None:
        self.pdf = pdf
        self._chars: dict[tuple[str, float], dict[str, float]] = {}
        self._words: dict[tuple[str, float], dict[str, float]] = {}

    def width(self, text: str, style: str, size: float) -> float:
        key = (style, size)
        words = self._words.setdefault(key, {})
        found = words.get(text)
        if found is None:
            chars = self._chars.setdefault(key, {})
            found = 0.0
            for char in text:
                char_width = chars.get(char)
                if char_width is None:
                    self.pdf.set_font(self.pdf.family, style, size)
                    char_width = chars[char] = self.pdf.get_string_width(char)
                found += char_width
            if len(words) < 50_000:  # bounded: a transcript repeats its words
                words[text] = found
        return found

    def wrap(self, text: str, width: float, style: str, size: float) -> list[str]:
        """`text` in lines of at most `width`, broken at spaces (and inside a word
        only when it is longer than a line); its own line breaks kept."""
        lines: list[str] = []
        space = self.width(" ", style, size)
        for paragraph in self.pdf.text_of(text).split("\n"):
            line, used = "", 0.0
            for word in paragraph.split(" "):
                word_width = self.width(word, style, size)
                gap = space if line else 0.0
                if used + gap + word_width <= width:
                    line, used = (f"{line} {word}" if line else word), used + gap + word_width
                    continue
                if line:
                    lines.append(line)
                while word_width > width and len(word) > 1:
                    cut = self._fit(word, width, style, size)
                    lines.append(word[:cut])
                    word = word[cut:]
                    word_width = self.width(word, style, size)
                line, used = word, word_width
            lines.append(line)
        return lines

    def _fit(self, word: str, width: float, style: str, size: float) -> int:
        used = 0.0
        for index, char in enumerate(word):
            used += self.width(char, style, size)
            if used > width:
                return max(index, 1)
        return len(word)


@dataclass(frozen=True, slots=True)
class _Block:
    """Lines set in one font, at one line height."""

    lines: list[str]
    style: str
    size: float
    line: float
    color: tuple[int, int, int]

    @property
    def height(self) -> float:
        return len(self.lines) * self.line


def _blocks(layout: _Lines, entry: TranscriptEntry, meta: str, width: float) -> list[_Block]:
    event = entry.kind is MessageKind.EVENT
    blocks = []
    if entry.kind is MessageKind.NOTE:
        blocks.append(_Block(["NOTE · agents only"], "B", 8, 5, _NOTE_INK))
    meta_style = "" if event else "B"
    blocks.append(_Block(layout.wrap(meta, width, meta_style, 8), meta_style, 8, 4.5, _MUTED))
    if entry.body:
        size, color = (9, _MUTED) if event else (9.5, _INK)
        blocks.append(_Block(layout.wrap(entry.body, width, "", size), "", size, 5, color))
    if entry.files:
        files = "Attached: " + ", ".join(entry.files)
        blocks.append(_Block(layout.wrap(files, width, "", 8), "", 8, 4.5, (54, 64, 75)))
    return blocks


def _entry(pdf: _Document, layout: _Lines, entry: TranscriptEntry) -> None:
    note = entry.kind is MessageKind.NOTE
    event = entry.kind is MessageKind.EVENT
    width = pdf.epw - 4
    x = pdf.l_margin + 4
    meta = f"{_when(entry.time)}  ·  {entry.author}  ·  via {entry.via}  ·  {entry.label}"
    blocks = _blocks(layout, entry, meta, width)
    needed = sum(b.height for b in blocks)
    bottom = pdf.page_break_trigger
    # Start an entry on a new page rather than split it, unless it is taller than a page.
    if needed > bottom - pdf.get_y() and needed < bottom - pdf.t_margin:
        pdf.add_page()
    accent = _NOTE_INK if note else _ACCENT[entry.author_kind]
    y = top = pdf.get_y()

    def close_segment() -> None:
        if not event:
            pdf.set_fill_color(*accent)
            pdf.rect(pdf.l_margin, top, 1.2, y - top, style="F")

    for block in blocks:
        pdf.font(block.style, block.size, block.color)
        # The baseline sits so that the letters are centred on the line.
        drop = (block.line + block.size * 0.3528 * 0.7) / 2
        for text in block.lines:
            if y + block.line > bottom:
                close_segment()
                pdf.add_page()
                pdf.font(block.style, block.size, block.color)
                y = top = pdf.get_y()
            if note:
                pdf.set_fill_color(*_NOTE_FILL)
                pdf.rect(x, y, width, block.line, style="F")
            if text:
                pdf.text(x, y + drop, text)
            y += block.line
    close_segment()
    pdf.set_y(y + 3)


def render_pdf(transcript: Transcript, font_dir: Path) -> bytes:
    pdf = _Document(transcript, font_dir)
    pdf.alias_nb_pages()
    pdf.add_page()
    _header(pdf)
    if not transcript.entries:
        pdf.font("", 10, _MUTED)
        pdf.multi_cell(pdf.epw, 6, EMPTY_ROOM)
    layout = _Lines(pdf)
    for entry in transcript.entries:
        _entry(pdf, layout, entry)
    return bytes(pdf.output())
