"""Pagination of a PDF transcript's entries, apart from drawing them: entries go in
one at a time and come out as pages of positioned marks (lines of text, filled
rectangles). Laying out is cheap and keeps nothing but the page being filled, so
a renderer can lay a long room out once to count its pages and again to draw it,
a few pages at a time."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from caseroom.domain.model import AuthorKind, MessageKind
from caseroom.domain.transcript import TranscriptEntry

Color = tuple[int, int, int]
INK: Color = (29, 35, 43)
MUTED: Color = (91, 102, 115)
NOTE_FILL: Color = (255, 246, 199)
NOTE_INK: Color = (133, 100, 0)
_FILES: Color = (54, 64, 75)
_ACCENT = {
    AuthorKind.CUSTOMER: (47, 111, 179),
    AuthorKind.AGENT: (59, 138, 90),
    AuthorKind.BOT: (138, 95, 191),
    AuthorKind.SYSTEM: (201, 209, 218),
}
NOTE_MARK = "NOTE · agents only"
_INDENT = 4.0  # the entry's text sits right of its accent bar
_BAR = 1.2
_GAP = 3.0  # between entries

# The width of one character in a face ("" or "B") at a size in points.
CharWidth = Callable[[str, str, float], float]


def when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S UTC") if value else "not resolved"


@dataclass(frozen=True, slots=True)
class Text:
    x: float
    y: float  # the baseline
    text: str
    style: str
    size: float
    color: Color


@dataclass(frozen=True, slots=True)
class Fill:
    x: float
    y: float
    w: float
    h: float
    color: Color


Mark = Text | Fill


@dataclass(frozen=True, slots=True)
class Geometry:
    """Where text may go on a page, in mm."""

    left: float
    top: float
    bottom: float  # no line ends below this
    width: float


class Lines:
    """Line breaking by word, from cached character widths: a long Issue's
    transcript is thousands of entries, and measuring each line again (as
    multi_cell does) costs seconds per thousand."""

    def __init__(self, char_width: CharWidth, text_of: Callable[[str], str]) -> None:
        self._char_width = char_width
        self._text_of = text_of
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
                    char_width = chars[char] = self._char_width(char, style, size)
                found += char_width
            if len(words) < 5_000:  # bounded: most of a transcript's words are common ones
                words[text] = found
        return found

    def wrap(self, text: str, width: float, style: str, size: float) -> list[str]:
        """`text` in lines of at most `width`, broken at spaces (and inside a word
        only when it is longer than a line); its own line breaks kept."""
        lines: list[str] = []
        space = self.width(" ", style, size)
        for paragraph in self._text_of(text).split("\n"):
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
    color: Color

    @property
    def height(self) -> float:
        return len(self.lines) * self.line


def _blocks(lines: Lines, entry: TranscriptEntry, width: float) -> list[_Block]:
    event = entry.kind is MessageKind.EVENT
    meta = f"{when(entry.time)}  ·  {entry.author}  ·  via {entry.via}  ·  {entry.label}"
    blocks = []
    if entry.kind is MessageKind.NOTE:
        blocks.append(_Block([NOTE_MARK], "B", 8, 5, NOTE_INK))
    meta_style = "" if event else "B"
    blocks.append(_Block(lines.wrap(meta, width, meta_style, 8), meta_style, 8, 4.5, MUTED))
    if entry.body:
        size, color = (9, MUTED) if event else (9.5, INK)
        blocks.append(_Block(lines.wrap(entry.body, width, "", size), "", size, 5, color))
    if entry.files:
        files = "Attached: " + ", ".join(entry.files)
        blocks.append(_Block(lines.wrap(files, width, "", 8), "", 8, 4.5, _FILES))
    return blocks


class Paginator:
    """Entries in, finished pages out. The first page's entries start at
    `start_y` (below the header); an entry starts on a new page rather than be
    split, unless it is taller than a page."""

    def __init__(self, lines: Lines, geometry: Geometry, start_y: float) -> None:
        self._lines = lines
        self._page = geometry
        self._y = start_y
        self._marks: list[Mark] = []
        self.finished = 0  # pages handed out so far

    def add(self, entry: TranscriptEntry) -> list[list[Mark]]:
        """Lay `entry` out; returns the pages it finished (usually none)."""
        page = self._page
        done: list[list[Mark]] = []
        note = entry.kind is MessageKind.NOTE
        event = entry.kind is MessageKind.EVENT
        width, x = page.width - _INDENT, page.left + _INDENT
        blocks = _blocks(self._lines, entry, width)
        needed = sum(b.height for b in blocks)
        if needed > page.bottom - self._y and needed < page.bottom - page.top:
            done.append(self._next_page())
        accent = NOTE_INK if note else _ACCENT[entry.author_kind]
        y = top = self._y
        for block in blocks:
            # The baseline sits so that the letters are centred on the line.
            drop = (block.line + block.size * 0.3528 * 0.7) / 2
            for text in block.lines:
                if y + block.line > page.bottom:
                    if not event:
                        self._marks.append(Fill(page.left, top, _BAR, y - top, accent))
                    done.append(self._next_page())
                    y = top = self._y
                if note:
                    self._marks.append(Fill(x, y, width, block.line, NOTE_FILL))
                if text:
                    self._marks.append(
                        Text(x, y + drop, text, block.style, block.size, block.color)
                    )
                y += block.line
        if not event:
            self._marks.append(Fill(page.left, top, _BAR, y - top, accent))
        self._y = y + _GAP
        return done

    def finish(self) -> list[Mark]:
        """The last page."""
        return self._next_page()

    def _next_page(self) -> list[Mark]:
        marks, self._marks = self._marks, []
        self._y = self._page.top
        self.finished += 1
        return marks
