"""Search text: what gets indexed, how a query is read, and where its words are
found in a text for highlighting. Pure, and the same for SQLite and PostgreSQL:
both databases index the words this module produces, so they match alike."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum

_WORD = re.compile(r"[^\W_]+")
# A phone number typed with spaces or dashes is one word of digits, as indexed.
_PHONE = re.compile(r"\+?\d[\d\s().-]{5,}\d")
MAX_QUERY_WORDS = 8
MAX_WORD_CHARS = 64
SNIPPET_CHARS = 160


class Sort(StrEnum):
    LAST_ACTIVITY = "last_activity"
    WAITING = "waiting"
    CREATED = "created"


def fold(word: str) -> str:
    """Lowercase and without accents, so "Müller" and "muller" are one word."""
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def index_terms(*texts: str | None) -> str:
    """The words of `texts`, folded and space-separated: what the index stores."""
    return " ".join(fold(w) for text in texts if text for w in _WORD.findall(text))


def query_words(query: str) -> tuple[str, ...]:
    """The words a query asks for (each a prefix; all must match). Punctuation
    separates words, as it does in indexed text, so a query cannot inject syntax."""
    words: list[str] = []
    query = _PHONE.sub(lambda m: " " + "".join(c for c in m.group() if c.isdigit()) + " ", query)
    for word in _WORD.findall(query):
        folded = fold(word)[:MAX_WORD_CHARS]
        if folded and folded not in words:
            words.append(folded)
    return tuple(words[:MAX_QUERY_WORDS])


def phone_digits(phone: str | None) -> str | None:
    """A phone number as one word of digits, so "+49 30 1234" finds "+49301234"."""
    if not phone:
        return None
    digits = "".join(c for c in phone if c.isdigit())
    return digits or None


@dataclass(frozen=True, slots=True)
class Highlight:
    """A stretch of text to show, and the [start, end) spans in it that matched."""

    text: str
    spans: tuple[tuple[int, int], ...]


def highlight(text: str, words: tuple[str, ...], *, width: int = SNIPPET_CHARS) -> Highlight:
    """The part of `text` around its first matching word, with every word that
    starts with a query word marked."""
    spans = [
        (m.start(), m.end())
        for m in _WORD.finditer(text)
        if any(fold(m.group()).startswith(w) for w in words)
    ]
    if len(text) <= width:
        return Highlight(text, tuple(spans))
    first = spans[0][0] if spans else 0
    start = max(0, min(first - width // 4, len(text) - width))
    end = start + width
    while start > 0 and not text[start - 1].isspace() and first - start < width // 2:
        start -= 1
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(text) else ""
    shift = len(prefix) - start
    inside = tuple((s + shift, e + shift) for s, e in spans if s >= start and e <= end)
    return Highlight(prefix + text[start:end] + suffix, inside)
