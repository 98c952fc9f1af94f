"""Knowledge articles: what an admin writes, and how a search query becomes
words a full-text index can take (every word optional, ranked by the index)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

import markdown_it
import nh3

TITLE_MAX_CHARS = 200
BODY_MAX_CHARS = 100_000
TAGS_MAX = 20
QUERY_WORDS_MAX = 12
_WORD = re.compile(r"[^\W_]{2,}", re.UNICODE)
_markdown = markdown_it.MarkdownIt("commonmark", {"html": False, "linkify": False})


@dataclass(frozen=True, slots=True)
class Article:
    id: str
    org_id: str
    title: str
    body: str  # Markdown
    tags: tuple[str, ...]
    team_id: str | None
    published: bool
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class Hit:
    article: Article
    rank: float  # higher is better
    excerpt: str


def query_words(query: str) -> list[str]:
    """The words of a search, lower case, each once (punctuation and operators of
    either index's query language are dropped, so any text is a safe query)."""
    seen: dict[str, None] = {}
    for word in _WORD.findall(query.casefold()):
        seen.setdefault(word, None)
    return list(seen)[:QUERY_WORDS_MAX]


def render_markdown(body: str) -> str:
    """The article as HTML safe to show: Markdown without raw HTML, then sanitized."""
    return nh3.clean(_markdown.render(body), link_rel="noopener noreferrer nofollow")


def excerpt(body: str, words: list[str], chars: int = 220) -> str:
    """The part of the body around the first query word found, as plain text."""
    unlinked = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", body)  # [text](url) -> text
    plain = " ".join(re.sub(r"[*_`]+|^[#>\s-]+", "", unlinked, flags=re.MULTILINE).split())
    lowered = plain.casefold()
    at = min((i for i in (lowered.find(w) for w in words) if i >= 0), default=0)
    start = max(0, at - chars // 3)
    piece = plain[start : start + chars]
    return ("…" if start else "") + piece + ("…" if start + chars < len(plain) else "")
