"""Hours of operation and time zones as an admin types them."""

from __future__ import annotations

import pytest

from caseroom.domain.errors import InvalidInput
from caseroom.domain.hours import OpeningSpan, check_timezone, normalize_hours, parse_hours


def test_a_range_of_days_and_several_parts() -> None:
    assert parse_hours("Mon-Fri 09:00-17:00, Sat 10:00-14:00") == (
        OpeningSpan((0, 1, 2, 3, 4), 9 * 60, 17 * 60),
        OpeningSpan((5,), 10 * 60, 14 * 60),
    )


def test_a_range_may_wrap_over_the_week_end() -> None:
    assert parse_hours("Fri-Mon 08:00-24:00")[0].days == (4, 5, 6, 0)


def test_the_spelling_is_made_canonical() -> None:
    assert normalize_hours(" mon-FRI 09:00-17:00 ,sat 10:00-12:00") == (
        "Mon-Fri 09:00-17:00, Sat 10:00-12:00"
    )
    assert normalize_hours("  ") is None


@pytest.mark.parametrize(
    "text",
    [
        "Mon-Fri 9:00-17:00",
        "Mon-Fri",
        "Monday 09:00-17:00",
        "Mon-Fri 17:00-09:00",
        "Mon-Fri 09:00-09:00",
        "Mon 25:00-26:00",
        "Mon 09:60-10:00",
        "Mon 09:00-24:30",
        "Mon-Fri 09:00-17:00,",
        "x" * 300,
    ],
)
def test_what_is_not_hours_is_refused(text: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        parse_hours(text)
    assert refused.value.extra["field"] == "hours"


def test_time_zones_are_the_ones_zoneinfo_knows() -> None:
    assert check_timezone(" Europe/Berlin ") == "Europe/Berlin"
    assert check_timezone("UTC") == "UTC"
    for name in ("Europe/Atlantis", "", "../etc/passwd", "/etc/localtime", "a" * 80):
        with pytest.raises(InvalidInput) as refused:
            check_timezone(name)
        assert refused.value.extra["field"] == "timezone"
