from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from caseroom.domain.errors import InvalidInput
from caseroom.domain.redaction import (
    CARD_NUMBERS,
    REDACTED,
    PatternKind,
    RedactionPattern,
    check_pattern,
    luhn_valid,
    redact_text,
)


def luhn_complete(prefix: str) -> str:
    """`prefix` plus the check digit that makes it pass Luhn."""
    return next(prefix + d for d in "0123456789" if luhn_valid(prefix + d))


cards = st.from_regex(r"[1-9][0-9]{11,17}", fullmatch=True).map(luhn_complete)
words = st.text(alphabet=st.characters(blacklist_categories=("Nd", "Cs")), max_size=40)


@given(words, cards, words)
def test_a_valid_card_number_never_survives(before: str, card: str, after: str) -> None:
    for shown in (card, " ".join(card[i : i + 4] for i in range(0, len(card), 4))):
        redacted = redact_text(f"{before} {shown} {after}", [CARD_NUMBERS])
        assert card not in redacted.replace(" ", "")
        assert REDACTED in redacted


@given(words)
def test_text_without_digits_is_untouched(text: str) -> None:
    assert redact_text(text, [CARD_NUMBERS]) == text


@given(st.text(max_size=200))
def test_card_redaction_is_idempotent(text: str) -> None:
    once = redact_text(text, [CARD_NUMBERS])
    assert redact_text(once, [CARD_NUMBERS]) == once


def test_numbers_failing_luhn_and_longer_runs_are_kept() -> None:
    text = "order 4111111111111112, phone 0044 20 7946 0958, tracking 41111111111111111111"
    assert redact_text(text, [CARD_NUMBERS]) == text
    assert redact_text("pay 4111-1111-1111-1111 now", [CARD_NUMBERS]) == f"pay {REDACTED} now"
    assert redact_text("4111 1111 1111 1111 12", [CARD_NUMBERS]) == f"{REDACTED} 12"


def test_organization_patterns_and_selected_text() -> None:
    patterns = [
        RedactionPattern("p1", "Passport", PatternKind.REGEX, r"(?i)\bP\d{7}\b"),
        RedactionPattern("s", "selected", PatternKind.LITERAL, "hunter2"),
    ]
    assert redact_text("pass p1234567, pw hunter2!", patterns) == f"pass {REDACTED}, pw {REDACTED}!"


@pytest.mark.parametrize(
    ("pattern", "reason"),
    [
        (r"(a)\1", "not a valid RE2"),
        (r"(?=a)b", "not a valid RE2"),
        (r"x*", "matches empty text"),
        ("(", "not a valid RE2"),
        ("a" * 501, "longer than 500"),
    ],
)
def test_patterns_are_checked_before_saving(pattern: str, reason: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        check_pattern(pattern, max_chars=500)
    assert reason in refused.value.detail


def test_a_pattern_that_backtracks_catastrophically_elsewhere_still_returns() -> None:
    # With a backtracking engine (Python's re) this call would never return;
    # RE2 answers in time linear in the text.
    evil = RedactionPattern("e", "evil", PatternKind.REGEX, check_pattern(r"(a+)+$", max_chars=50))
    text = "a" * 100_000 + "!"
    assert redact_text(text, [evil]) == text
