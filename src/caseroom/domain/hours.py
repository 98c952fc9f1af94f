"""Hours of operation and time zones of a team: `Mon-Fri 09:00-17:00`, or several
parts separated by commas (`Mon-Fri 09:00-17:00, Sat 10:00-14:00`)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from caseroom.domain.errors import InvalidInput

DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_PART = re.compile(
    r"^(?P<first>[A-Za-z]{3})(?:-(?P<last>[A-Za-z]{3}))?\s+"
    r"(?P<start>\d{2}:\d{2})-(?P<end>\d{2}:\d{2})$"
)
HOURS_MAX_CHARS = 200


@dataclass(frozen=True, slots=True)
class OpeningSpan:
    days: tuple[int, ...]  # 0 is Monday
    start_minute: int
    end_minute: int


def _day(name: str) -> int:
    title = name.title()
    if title not in DAYS:
        raise InvalidInput(
            f"{name!r} is not a day (use {', '.join(DAYS)})", field="hours", example=_EXAMPLE
        )
    return DAYS.index(title)


def _minute(text: str) -> int:
    hours, minutes = int(text[:2]), int(text[3:])
    if hours > 24 or minutes > 59 or (hours == 24 and minutes):
        raise InvalidInput(f"{text} is not a time of day", field="hours", example=_EXAMPLE)
    return hours * 60 + minutes


_EXAMPLE = "Mon-Fri 09:00-17:00"


def parse_hours(text: str) -> tuple[OpeningSpan, ...]:
    """The spans `text` describes, or InvalidInput saying what is wrong."""
    if len(text) > HOURS_MAX_CHARS:
        raise InvalidInput(f"hours are longer than {HOURS_MAX_CHARS} characters", field="hours")
    spans = []
    for part in (p.strip() for p in text.split(",")):
        found = _PART.match(part)
        if not found:
            raise InvalidInput(
                f"{part!r} is not like {_EXAMPLE!r}", field="hours", example=_EXAMPLE
            )
        first = _day(found["first"])
        last = _day(found["last"]) if found["last"] else first
        days = tuple(d % 7 for d in range(first, last + 1 if last >= first else last + 8))
        start, end = _minute(found["start"]), _minute(found["end"])
        if end <= start:
            raise InvalidInput(
                f"{part!r}: the closing time must come after the opening time", field="hours"
            )
        spans.append(OpeningSpan(days, start, end))
    return tuple(spans)


def normalize_hours(text: str | None) -> str | None:
    """Checked hours in their canonical spelling (`mon-fri 9:00` is refused, `mon-fri
    09:00-17:00` becomes `Mon-Fri 09:00-17:00`); None or blank means no hours set."""
    if text is None or not text.strip():
        return None
    parse_hours(text.strip())
    parts = []
    for part in (p.strip() for p in text.strip().split(",")):
        days, times = part.split(maxsplit=1)
        parts.append(f"{'-'.join(d.title() for d in days.split('-'))} {times.strip()}")
    return ", ".join(parts)


def check_timezone(name: str) -> str:
    """An IANA time zone name the system knows, such as `Europe/Berlin` or `UTC`."""
    name = name.strip()
    if not name or len(name) > 64 or name.startswith(("/", ".")) or ".." in name:
        raise InvalidInput(f"{name!r} is not a time zone name", field="timezone")
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInput(
            f"{name!r} is not a known time zone (like Europe/Berlin or UTC)", field="timezone"
        ) from None
    return name


def _local(now: datetime, timezone: str) -> datetime:
    return now.astimezone(ZoneInfo(timezone))


def is_open(hours: str | None, timezone: str, now: datetime) -> bool:
    """Whether a team with these hours is working at `now` (no hours: always)."""
    if not hours:
        return True
    local = _local(now, timezone)
    minute = local.hour * 60 + local.minute
    return any(
        local.weekday() in span.days and span.start_minute <= minute < span.end_minute
        for span in parse_hours(hours)
    )


def next_opening(hours: str, timezone: str, now: datetime) -> datetime | None:
    """When the team next starts work after `now`, in its own time zone."""
    local = _local(now, timezone)
    today = local.replace(hour=0, minute=0, second=0, microsecond=0)
    starts = []
    for ahead in range(8):
        day = today + timedelta(days=ahead)
        for span in parse_hours(hours):
            if day.weekday() in span.days:
                start = day + timedelta(minutes=span.start_minute)
                if start > local:
                    starts.append(start)
    return min(starts, default=None)


def back_at_text(hours: str, timezone: str, now: datetime) -> str:
    """`Mon 09:00 (Europe/Berlin)`: when the team is back, as a Customer reads it."""
    opening = next_opening(hours, timezone, now)
    if opening is None:
        return "soon"
    return f"{DAYS[opening.weekday()]} {opening:%H:%M} ({timezone})"
