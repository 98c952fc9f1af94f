"""Extractive summaries of a public room and word-overlap ranking: sentences are
picked from what people wrote, never generated. The method is stated with every
summary so an agent knows what it can and cannot see."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from caseroom.domain.model import AuthorKind, Message, MessageKind

METHOD = (
    "Method: extractive. Sentences are taken as written from the public room: the "
    "Customer's first messages (the request), the desk's replies that say what was "
    "done (what was tried), and what the Customer wrote after the last reply or "
    "asked without an answer (what is open). Nothing is generated."
)
_SENTENCE = re.compile(r"(?<=[.!?])\s+|\n+")
_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_TRIED = re.compile(
    r"\b(tried|try|checked|check|reset|restart\w*|sent|resent|refund\w*|replac\w*|"
    r"updated|changed|cleared|reinstall\w*|escalat\w*|asked|suggest\w*|fixed|verified|"
    r"article|offered)\b",
    re.IGNORECASE,
)
_QUOTE_CHARS = 240
_STOP = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "but",
        "by",
        "can",
        "do",
        "for",
        "from",
        "has",
        "have",
        "how",
        "i",
        "in",
        "is",
        "it",
        "me",
        "my",
        "no",
        "not",
        "of",
        "on",
        "or",
        "our",
        "so",
        "that",
        "the",
        "their",
        "there",
        "this",
        "to",
        "was",
        "we",
        "what",
        "when",
        "where",
        "which",
        "who",
        "why",
        "will",
        "with",
        "you",
        "your",
    ]
)


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE.split(text) if s.strip()]


def _short(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= _QUOTE_CHARS else flat[: _QUOTE_CHARS - 1] + "…"


@dataclass(frozen=True, slots=True)
class Summary:
    request: list[str]
    tried: list[str]
    open: list[str]

    def as_text(self) -> str:
        def part(title: str, lines: list[str], empty: str) -> list[str]:
            return [title, *(f"- {line}" for line in lines)] if lines else [f"{title} {empty}"]

        lines = ["Summary of the public room"]
        lines += part("The request:", self.request, "nothing yet.")
        lines += part("What was tried:", self.tried, "nothing yet.")
        lines += part("What is open:", self.open, "nothing; the last word was the desk's.")
        lines.append(METHOD)
        return "\n".join(lines)


def summarize(messages: Sequence[Message], *, per_part: int = 3) -> Summary:
    said = [m for m in messages if m.kind is MessageKind.MESSAGE and m.body.strip()]
    customer = [m for m in said if m.author_kind is AuthorKind.CUSTOMER]
    desk = [m for m in said if m.author_kind in (AuthorKind.AGENT, AuthorKind.BOT)]
    first_desk = min((m.seq for m in desk), default=None)
    asking = [m for m in customer if first_desk is None or m.seq < first_desk][:2] or customer[:1]
    request = [_short(s) for m in asking for s in sentences(m.body)][:per_part]
    tried: list[str] = []
    for message in desk:
        tried += [_short(s) for s in sentences(message.body) if _TRIED.search(s)]
    last_desk = max((m.seq for m in desk), default=0)
    after = [m for m in customer if m.seq > last_desk and m not in customer[:1]]
    open_lines = [_short(s) for m in after for s in sentences(m.body)]
    if not open_lines and last_desk == 0:
        open_lines = [_short(s) for m in customer[:1] for s in sentences(m.body) if "?" in s]
    return Summary(request, tried[-per_part:], open_lines[-per_part:])


def words(text: str) -> set[str]:
    return {w for w in (m.casefold() for m in _WORD.findall(text)) if w not in _STOP}


def overlap_rank(query: str, fields: Iterable[tuple[str, float]]) -> float:
    """How well `query`'s words match weighted text fields (0: not at all)."""
    wanted = words(query)
    if not wanted:
        return 0.0
    score = 0.0
    for text, weight in fields:
        score += weight * len(wanted & words(text)) / len(wanted)
    return score
