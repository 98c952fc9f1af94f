from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from caseroom.domain.errors import InvalidInput
from caseroom.domain.ids import new_id
from caseroom.domain.reference import ALPHABET, LENGTH, new_reference, normalize_reference
from caseroom.domain.text import clean_text, normalize_email, normalize_phone


def test_references_use_only_unambiguous_characters() -> None:
    for _ in range(500):
        reference = new_reference()
        assert len(reference) == LENGTH
        assert set(reference) <= set(ALPHABET)
    assert not set("01ILOU") & set(ALPHABET)


@given(st.text(alphabet=ALPHABET, min_size=LENGTH, max_size=LENGTH))
def test_a_reference_typed_in_lower_case_with_spaces_is_recognised(reference: str) -> None:
    typed = f" {reference[:3].lower()} {reference[3:]} "
    assert normalize_reference(typed) == reference


@given(st.text(max_size=12))
def test_normalize_reference_returns_a_valid_reference_or_none(text: str) -> None:
    result = normalize_reference(text)
    assert result is None or (len(result) == LENGTH and set(result) <= set(ALPHABET))


def test_ids_sort_by_creation_time() -> None:
    ids = [new_id() for _ in range(50)]
    assert len(set(ids)) == 50
    assert all(len(i) == 26 for i in ids)


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("+1 (555) 123-4567", "+15551234567"),
        ("0049 151 1234 5678", "+4915112345678"),
        ("+44.20.7946.0958", "+442079460958"),
    ],
)
def test_phone_numbers_are_stored_in_one_form(typed: str, stored: str) -> None:
    assert normalize_phone(typed) == stored


@pytest.mark.parametrize("typed", ["12", "call me", "+1555abc4567", "+1234567890123456"])
def test_implausible_phone_numbers_are_refused(typed: str) -> None:
    with pytest.raises(InvalidInput):
        normalize_phone(typed)


def test_emails_are_lower_cased_and_checked() -> None:
    assert normalize_email(" Maria@Example.COM ") == "maria@example.com"
    assert normalize_email("") is None
    for bad in ("maria", "maria@", "@example.com", "a b@example.com"):
        with pytest.raises(InvalidInput):
            normalize_email(bad)


@given(st.text(max_size=300))
def test_clean_text_accepts_or_refuses_but_never_returns_blank_or_control(text: str) -> None:
    try:
        cleaned = clean_text(text, field="body", max_chars=200)
    except InvalidInput:
        return
    assert cleaned and cleaned == cleaned.strip() and len(cleaned) <= 200
    assert "\x00" not in cleaned and "\x1b" not in cleaned
