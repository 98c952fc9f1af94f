"""Redaction: removing secrets (card numbers, patterns an organization defines,
text an agent points at) from stored and served text.

Organization patterns run on RE2, whose matching time is linear in the text
whatever the pattern, so no pattern can stall a server (no catastrophic
backtracking); RE2 refuses backreferences and lookaround for the same reason.
Card numbers are found by a fixed scan with a Luhn check, built in for every
organization.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import re2

from caseroom.domain.errors import InvalidInput

REDACTED = "[redacted]"
REDACTION_ACTION = "message.redacted"  # the activity log's entry for each redaction


class PatternKind(StrEnum):
    CARD = "card"  # built in: 13-19 digit numbers passing the Luhn check
    REGEX = "regex"  # an organization's RE2 pattern
    LITERAL = "literal"  # exact text an agent selected


@dataclass(frozen=True, slots=True)
class RedactionPattern:
    id: str
    name: str
    kind: PatternKind
    pattern: str = ""


CARD_NUMBERS = RedactionPattern("card-numbers", "Card numbers", PatternKind.CARD)

# Digit runs with single spaces or dashes between groups, not touching other digits.
_DIGIT_RUN = re.compile(r"(?<![\d])\d+(?:[ -]\d+)*(?![\d])")
_GROUP = re.compile(r"\d+")
CARD_MIN_DIGITS, CARD_MAX_DIGITS = 13, 19


def luhn_valid(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 1:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def _card_spans(text: str) -> Iterator[tuple[int, int]]:
    """Spans of card numbers: within each run of digit groups, the longest
    group-aligned stretch of 13-19 digits that passes Luhn, leftmost first."""
    for run in _DIGIT_RUN.finditer(text):
        groups = [(g.start() + run.start(), g.end() + run.start()) for g in _GROUP.finditer(run[0])]
        i = 0
        while i < len(groups):
            found = None
            for j in range(len(groups) - 1, i - 1, -1):
                start, end = groups[i][0], groups[j][1]
                digits = "".join(ch for ch in text[start:end] if ch.isdigit())
                if CARD_MIN_DIGITS <= len(digits) <= CARD_MAX_DIGITS and luhn_valid(digits):
                    found = j
                    break
            if found is None:
                i += 1
            else:
                yield groups[i][0], groups[found][1]
                i = found + 1


@functools.lru_cache(maxsize=256)
def _compiled(pattern: str) -> Any:
    options = re2.Options()
    options.log_errors = False
    return re2.compile(pattern, options)


def _spans(text: str, pattern: RedactionPattern) -> Iterator[tuple[int, int]]:
    if pattern.kind is PatternKind.CARD:
        yield from _card_spans(text)
    elif pattern.kind is PatternKind.LITERAL:
        if pattern.pattern:
            start = text.find(pattern.pattern)
            while start >= 0:
                yield start, start + len(pattern.pattern)
                start = text.find(pattern.pattern, start + len(pattern.pattern))
    else:
        for match in _compiled(pattern.pattern).finditer(text):
            if match.end() > match.start():  # a zero-width match hides nothing
                yield match.start(), match.end()


def find_secrets(text: str, patterns: Sequence[RedactionPattern]) -> list[tuple[int, int]]:
    """The spans of `text` that some pattern covers, merged and in order."""
    spans = sorted(span for pattern in patterns for span in _spans(text, pattern))
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def redact_text(text: str, patterns: Sequence[RedactionPattern]) -> str:
    """`text` with every secret the patterns find replaced by REDACTED."""
    out, position = [], 0
    for start, end in find_secrets(text, patterns):
        out.append(text[position:start])
        out.append(REDACTED)
        position = end
    out.append(text[position:])
    return "".join(out)


def check_pattern(pattern: str, *, max_chars: int) -> str:
    """Validate an organization's pattern before it is saved."""
    if not pattern.strip():
        raise InvalidInput("pattern must not be empty", field="pattern")
    if len(pattern) > max_chars:
        raise InvalidInput(
            f"pattern is longer than {max_chars} characters", field="pattern", limit=max_chars
        )
    try:
        compiled = _compiled(pattern)
    except re2.error as error:
        reason = error.args[0] if error.args else "invalid"
        if isinstance(reason, bytes):
            reason = reason.decode(errors="replace")
        raise InvalidInput(
            f"pattern is not a valid RE2 regular expression: {reason}", field="pattern"
        ) from error
    if compiled.search("") is not None:
        raise InvalidInput("pattern matches empty text: it would hide nothing", field="pattern")
    return pattern
