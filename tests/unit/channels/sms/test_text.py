"""SMS text rules: encoding and parts, E.164 numbers, carrier keywords."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from caseroom.channels.sms.text import (
    GSM7_BASIC,
    GSM7_EXTENSION,
    Keyword,
    classify_keyword,
    count_segments,
    normalize_phone,
)
from caseroom.domain.errors import InvalidInput, InvalidPhoneNumber
from tests.unit.channels.sms.segment_cases import SEGMENT_CASES


@pytest.mark.parametrize(("text", "encoding", "segments", "units"), SEGMENT_CASES)
def test_known_texts_take_known_parts(text: str, encoding: str, segments: int, units: int) -> None:
    counted = count_segments(text)
    assert (counted.encoding, counted.segments, counted.units) == (encoding, segments, units)


def test_per_segment_limit_shrinks_once_a_text_is_split() -> None:
    assert count_segments("a" * 160).per_segment == 160
    assert count_segments("a" * 161).per_segment == 153
    assert count_segments("ê" * 70).per_segment == 70
    assert count_segments("ê" * 71).per_segment == 67


def test_the_gsm_alphabet_has_its_128_characters() -> None:
    # 128 code points less the escape, plus the ten of the extension table.
    assert len(GSM7_BASIC) == 127
    assert len(GSM7_EXTENSION) == 10
    assert not GSM7_BASIC & GSM7_EXTENSION


gsm_text = st.text(alphabet=sorted(GSM7_BASIC | GSM7_EXTENSION), max_size=700)
any_text = st.text(max_size=400)


@given(gsm_text)
def test_gsm_texts_fit_their_parts(text: str) -> None:
    counted = count_segments(text)
    assert counted.encoding == "GSM-7"
    assert counted.units == len(text) + sum(c in GSM7_EXTENSION for c in text)
    if counted.units > 160:
        assert counted.segments * 153 >= counted.units
        # Never more than one part per 152 septets: only a pair can waste one septet.
        assert (counted.segments - 1) * 152 < counted.units


@given(any_text)
def test_any_text_counts_consistently(text: str) -> None:
    counted = count_segments(text)
    assert counted.segments >= (1 if text else 0)
    if counted.encoding == "UCS-2":
        assert counted.units == len(text.encode("utf-16-le")) // 2
        assert any(c not in GSM7_BASIC and c not in GSM7_EXTENSION for c in text)
    limit = counted.per_segment
    assert counted.segments == 0 or counted.units <= counted.segments * limit


@given(any_text, any_text)
def test_a_longer_text_never_takes_fewer_parts(start: str, more: str) -> None:
    first, both = count_segments(start), count_segments(start + more)
    if first.encoding == both.encoding:
        assert both.segments >= first.segments


@pytest.mark.parametrize(
    ("typed", "region", "e164"),
    [
        ("+1 (415) 555-0100", "US", "+14155550100"),
        ("415.555.0100", "US", "+14155550100"),
        ("(415) 555 0100", "us", "+14155550100"),
        ("+44 20 7946 0018", "US", "+442079460018"),
        ("020 7946 0018", "GB", "+442079460018"),
        ("030 1234567", "DE", "+49301234567"),
        ("  +49 30 1234567 ", "FR", "+49301234567"),
    ],
)
def test_spellings_of_one_number_normalize_alike(typed: str, region: str, e164: str) -> None:
    assert normalize_phone(typed, region) == e164


@pytest.mark.parametrize("typed", ["", "   ", "123", "hello", "+1 415 555", "415.555.0100 ext"])
def test_invalid_numbers_are_refused_clearly(typed: str) -> None:
    with pytest.raises(InvalidPhoneNumber) as raised:
        normalize_phone(typed, "US")
    assert isinstance(raised.value, InvalidInput)
    assert raised.value.detail


def test_a_national_number_names_the_region_it_was_read_in() -> None:
    with pytest.raises(InvalidPhoneNumber, match="region US"):
        normalize_phone("123 456", "US")


@pytest.mark.parametrize(
    ("body", "keyword"),
    [
        ("STOP", Keyword.OPT_OUT),
        ("stop", Keyword.OPT_OUT),
        ("  Stop.  ", Keyword.OPT_OUT),
        ("STOP!", Keyword.OPT_OUT),
        ("Unsubscribe", Keyword.OPT_OUT),
        ("cancel", Keyword.OPT_OUT),
        ("End", Keyword.OPT_OUT),
        ("QUIT\n", Keyword.OPT_OUT),
        ("stopall", Keyword.OPT_OUT),
        ("START", Keyword.OPT_IN),
        ("unstop", Keyword.OPT_IN),
        ("Yes", Keyword.OPT_IN),
        ("help?", Keyword.HELP),
        ("INFO", Keyword.HELP),
        ("please stop calling me", None),
        ("stop it", None),
        ("stopp", None),
        ("", None),
        ("hello", None),
        ("...", None),
    ],
)
def test_carrier_keywords(body: str, keyword: Keyword | None) -> None:
    assert classify_keyword(body) == keyword


@given(st.sampled_from(["stop", "START", "Help"]), st.text(alphabet=" \t\n.!?,", max_size=4))
def test_keywords_ignore_surrounding_spaces_and_punctuation(word: str, around: str) -> None:
    assert classify_keyword(around + word + around) is not None
