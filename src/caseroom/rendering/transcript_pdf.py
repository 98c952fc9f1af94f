"""A transcript as an A4 PDF (fpdf2), in memory bounded whatever the room's length.
Text is set in DejaVu Sans, embedded, so any language prints; without that font
the core Helvetica is used and characters outside Latin-1 print as '?', with a
warning in the log.

fpdf2 keeps every page of a document in memory until it writes it, so a long
room is drawn in chunks: entries are laid out into pages (transcript_layout),
once by `PageCounter` to learn how many pages there are ("Page X of Y"), then
again by `PdfTranscript`, which draws them a chunk of pages at a time, writes
each chunk to a temporary file, and joins the chunks into one PDF with pikepdf
(qpdf copies the pages' streams from the chunk files as it writes)."""

from __future__ import annotations

import io
import logging
import shutil
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import BinaryIO

import pikepdf
from fpdf import FPDF
from fpdf.enums import XPos, YPos

from caseroom.domain.transcript import EMPTY_ROOM, Audience, Transcript, TranscriptHead
from caseroom.domain.transcript import TranscriptEntry as Entry
from caseroom.rendering.transcript_layout import (
    INK,
    MUTED,
    Color,
    Fill,
    Geometry,
    Lines,
    Mark,
    Paginator,
    Text,
    when,
)

log = logging.getLogger(__name__)

# Both in Debian's fonts-dejavu-core. No italic face there: emphasis is weight and color.
FONT_FILES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf"}
CHUNK_PAGES = 250  # pages fpdf2 holds at once (each chunk embeds its own font subset)
_SUBJECT_INK = (54, 64, 75)


class TranscriptChanged(RuntimeError):
    """The entries read for drawing did not lay out as the ones counted did (the
    room changed between the two reads): the page numbers would be wrong."""


class _Document(FPDF):
    """One chunk of the transcript: pages `first_page` onwards of `total`."""

    def __init__(
        self, head: TranscriptHead, font_dir: Path, first_page: int = 1, total: int | None = None
    ) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.head = head
        self.first_page = first_page
        self.total = total
        self.family = "Helvetica"
        self.unicode = False
        if all((font_dir / name).is_file() for name in FONT_FILES.values()):
            for style, name in FONT_FILES.items():
                self.add_font("DejaVu", style, str(font_dir / name))
            self.family, self.unicode = "DejaVu", True
        elif first_page == 1 and total is None:  # once per transcript, not per chunk
            log.warning(
                "DejaVu fonts not found in %s: PDF transcripts fall back to Helvetica "
                "(Latin-1 only; install fonts-dejavu-core)",
                font_dir,
            )
        self.set_margins(20, 18, 20)
        self.set_auto_page_break(True, margin=18)
        self.set_title(head.title)
        self.set_author(head.organization)
        self.set_creator("caseroom")
        self.set_creation_date(head.generated_at)

    @property
    def geometry(self) -> Geometry:
        return Geometry(self.l_margin, self.t_margin, self.page_break_trigger, self.epw)

    def text_of(self, value: str) -> str:
        return value if self.unicode else value.encode("latin-1", "replace").decode("latin-1")

    def char_width(self, char: str, style: str, size: float) -> float:
        self.set_font(self.family, style, size)
        return float(self.get_string_width(char))

    def font(self, style: str = "", size: float = 10, color: Color = INK) -> None:
        self.set_font(self.family, style, size)
        self.set_text_color(*color)

    def footer(self) -> None:
        self.set_y(-12)
        self.font("", 8, MUTED)
        h = self.head
        version = f" · version {h.version}" if h.version is not None else ""
        self.cell(0, 5, self.text_of(f"{h.title}{version}"), align="L")
        self.set_x(self.l_margin)
        page = self.first_page + self.page_no() - 1
        self.cell(0, 5, f"Page {page} of {self.total}", align="R")

    def draw(self, marks: Iterable[Mark]) -> None:
        font: tuple[str, float, Color] | None = None
        for mark in marks:
            if isinstance(mark, Text):
                if font != (mark.style, mark.size, mark.color):
                    font = (mark.style, mark.size, mark.color)
                    self.font(*font)
                self.text(mark.x, mark.y, mark.text)
            else:
                self._fill(mark)

    def _fill(self, mark: Fill) -> None:
        self.set_fill_color(*mark.color)
        self.rect(mark.x, mark.y, mark.w, mark.h, style="F")


def _header(pdf: _Document) -> None:
    """The first page's header (and, for an empty room, the text saying so)."""
    h = pdf.head
    width = pdf.epw
    pdf.font("", 8, MUTED)
    pdf.cell(width, 5, pdf.text_of(h.organization), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.font("B", 17)
    pdf.multi_cell(width, 8, pdf.text_of(h.title), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.font("", 12, _SUBJECT_INK)
    pdf.multi_cell(width, 6, pdf.text_of(h.subject), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(3)
    rows = [
        ("Reference", h.reference),
        ("Customer", h.customer),
        ("Agents", ", ".join(h.agents) or "none"),
        ("Created", when(h.created_at)),
        ("Resolved", when(h.resolved_at)),
        ("Messages", str(h.count)),
    ]
    if h.version is not None:
        rows.append(("Version", str(h.version)))
    for key, value in rows:
        pdf.font("", 9, MUTED)
        pdf.cell(32, 5, key)
        pdf.font("", 9)
        pdf.multi_cell(width - 32, 5, pdf.text_of(value), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(2)
    pdf.font("", 8, MUTED)
    if h.audience is Audience.CUSTOMER:
        notice = "Copy for the customer: the conversation as the customer saw it."
    else:
        notice = "Internal record: notes are marked NOTE and are never sent to the customer."
    pdf.cell(width, 5, notice, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_draw_color(*INK)
    pdf.set_line_width(0.5)
    pdf.line(pdf.l_margin, pdf.get_y() + 1, pdf.l_margin + width, pdf.get_y() + 1)
    pdf.ln(5)
    if h.count == 0:
        pdf.font("", 10, MUTED)
        pdf.multi_cell(pdf.epw, 6, EMPTY_ROOM)


class Measure:
    """A transcript's fonts and line breaking, and where its entries start below
    the header: loaded once (parsing the fonts is the costly part) and shared by
    both passes."""

    def __init__(self, head: TranscriptHead, font_dir: Path) -> None:
        self.head = head
        self.font_dir = font_dir
        doc = _Document(head, font_dir)
        doc.add_page()
        _header(doc)
        self.lines = Lines(doc.char_width, doc.text_of)
        self.geometry = doc.geometry
        self.start_y = doc.get_y()


class _Layout:
    """A transcript's entries laid out into pages."""

    def __init__(self, measure: Measure) -> None:
        self.measure = measure
        self.paginator = Paginator(measure.lines, measure.geometry, measure.start_y)
        self.entries = 0

    def add(self, entries: Iterable[Entry]) -> None:
        for entry in entries:
            self.entries += 1
            for page in self.paginator.add(entry):
                self.page(page)

    def page(self, marks: list[Mark]) -> None:
        """A finished page (ignored when only counting)."""


class PageCounter(_Layout):
    """Pass one: how many pages the transcript takes."""

    def finish(self) -> int:
        self.page(self.paginator.finish())
        return self.paginator.finished


class PdfTranscript(_Layout):
    """Pass two: the pages drawn, `chunk_pages` at a time, into temporary files in
    `workdir`; `finish` joins them. `total` is what PageCounter said."""

    def __init__(
        self, measure: Measure, total: int, workdir: Path, chunk_pages: int = CHUNK_PAGES
    ) -> None:
        super().__init__(measure)
        self.total = total
        self.workdir = workdir
        self.chunk_pages = chunk_pages
        self.chunks: list[Path] = []
        self.drawn = 0
        self.doc: _Document | None = self._document()
        self.doc.add_page()
        _header(self.doc)
        self.header_page_open = True

    def _document(self) -> _Document:
        measure = self.measure
        return _Document(measure.head, measure.font_dir, self.drawn + 1, self.total)

    def page(self, marks: list[Mark]) -> None:
        if self.drawn == self.total:
            raise TranscriptChanged("more pages than counted")
        if self.doc is None:
            self.doc = self._document()
        if self.header_page_open:
            self.header_page_open = False
        else:
            self.doc.add_page()
        self.doc.draw(marks)
        self.drawn += 1
        if self.doc.pages_count == self.chunk_pages:
            self._write_chunk()

    def _write_chunk(self) -> None:
        assert self.doc is not None
        path = self.workdir / f"chunk-{len(self.chunks):05d}.pdf"
        self.doc.output(str(path))
        self.chunks.append(path)
        self.doc = None

    def finish(self, out: BinaryIO, *, entries: int | None = None) -> None:
        """Write the whole PDF to `out`. `entries`, if given, is how many entries
        the counting pass saw (the header says how many there are)."""
        self.page(self.paginator.finish())
        if self.drawn != self.total or (entries is not None and entries != self.entries):
            raise TranscriptChanged("fewer pages or other entries than counted")
        if self.doc is not None:
            self._write_chunk()
        join_pdfs(self.chunks, out)


def join_pdfs(parts: list[Path], out: BinaryIO) -> None:
    """The pages of `parts`, in order, as one PDF with the first part's document
    information (title, author, creator, dates). Parts are opened one at a time:
    the streams of each part's pages are copied (still compressed) before it is
    closed, so what is held is the joined file's objects, not every part's."""
    if len(parts) == 1:
        with parts[0].open("rb") as only:
            shutil.copyfileobj(only, out)
        return
    with pikepdf.Pdf.new() as joined:
        copied = 0
        for index, part in enumerate(parts):
            with pikepdf.Pdf.open(part) as source:
                joined.pages.extend(source.pages)
                if index == 0:
                    for key, value in source.docinfo.items():
                        joined.docinfo[key] = str(value)  # a string of this file's own
                copied = _take_streams(joined, copied)
        joined.save(out)


def _take_streams(pdf: pikepdf.Pdf, start: int) -> int:
    """Give the streams among `pdf`'s objects from `start` on their data in memory
    (qpdf would otherwise read it from the file they were copied from at saving);
    returns where the next part's objects start."""
    objects = pdf.objects
    for index in range(start, len(objects)):
        found = objects[index]
        if isinstance(found, pikepdf.Stream):
            codec, parms = found.get("/Filter"), found.get("/DecodeParms")
            found.write(
                found.read_raw_bytes(),
                filter=codec if isinstance(codec, pikepdf.Name | pikepdf.Array) else None,
                decode_parms=parms
                if isinstance(parms, pikepdf.Dictionary | pikepdf.Array)
                else None,
            )
    return len(objects)


def stream_pdf(
    head: TranscriptHead,
    entries: Callable[[], Iterable[Entry]],
    font_dir: Path,
    out: BinaryIO,
    chunk_pages: int = CHUNK_PAGES,
) -> None:
    """The transcript whose entries `entries()` gives (called twice, for the two
    passes) written to `out`."""
    measure = Measure(head, font_dir)
    counter = PageCounter(measure)
    counter.add(entries())
    total, counted = counter.finish(), counter.entries
    with tempfile.TemporaryDirectory(prefix="caseroom-pdf-") as workdir:
        pdf = PdfTranscript(measure, total, Path(workdir), chunk_pages)
        pdf.add(entries())
        pdf.finish(out, entries=counted)


def render_pdf(transcript: Transcript, font_dir: Path) -> bytes:
    out = io.BytesIO()
    stream_pdf(transcript.head, lambda: transcript.entries, font_dir, out)
    return out.getvalue()
