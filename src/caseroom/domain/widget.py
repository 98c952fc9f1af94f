"""How an organization's chat widget looks: validated settings and the part of
them anyone may read."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import urlsplit

from caseroom.domain.errors import InvalidInput
from caseroom.domain.text import clean_text

_HEX_COLOR = re.compile(r"^#[0-9a-f]{6}$")
TITLE_MAX_CHARS = 80
GREETING_MAX_CHARS = 300
MAX_ALLOWED_SITES = 20


class Position(StrEnum):
    LEFT = "left"
    RIGHT = "right"


@dataclass(frozen=True, slots=True)
class WidgetSettings:
    """What the launcher and chat panel show. Nothing here is secret: it is
    served to every visitor of the organization's site."""

    position: Position = Position.RIGHT
    color: str = "#2563eb"
    title: str = "Chat with us"
    greeting: str = "Hi! Ask us anything. We usually reply within a few minutes."
    # The sites (origins) that may frame the widget and the embed; none: any site.
    allowed_sites: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class WidgetChanges:
    """A partial update: None leaves a setting as it is."""

    position: str | None = None
    color: str | None = None
    title: str | None = None
    greeting: str | None = None
    allowed_sites: list[str] | None = None


def check_site(value: str) -> str:
    """An origin a browser would send: scheme, host and an optional port, as
    `https://shop.example.com` or `http://localhost:3000`; nothing else."""
    text = value.strip().lower().rstrip("/")
    parts = urlsplit(text)
    try:
        port = parts.port
    except ValueError:
        port = -1
    if (
        parts.scheme not in ("https", "http")
        or not parts.hostname
        or port == -1
        or parts.path
        or parts.query
        or parts.fragment
        or parts.username
        or parts.password
        or not re.fullmatch(r"[a-z0-9.\-*]+|\[[0-9a-f:.]+\]", parts.netloc.rsplit(":", 1)[0])
    ):
        raise InvalidInput(
            f"{value!r} is not a site: give its origin, like https://shop.example.com",
            field="allowed_sites",
        )
    return text


def check_sites(values: list[str]) -> tuple[str, ...]:
    if len(values) > MAX_ALLOWED_SITES:
        raise InvalidInput(
            f"at most {MAX_ALLOWED_SITES} sites may embed the chat", field="allowed_sites"
        )
    return tuple(dict.fromkeys(check_site(v) for v in values))


def check_color(value: str) -> str:
    color = value.strip().lower()
    if not _HEX_COLOR.match(color):
        raise InvalidInput("color must be a hex colour like #2563eb", field="color")
    return color


def check_position(value: str) -> Position:
    try:
        return Position(value.strip().lower())
    except ValueError:
        raise InvalidInput("position must be 'left' or 'right'", field="position") from None


def apply_changes(current: WidgetSettings, changes: WidgetChanges) -> WidgetSettings:
    """The settings after `changes`, every given value validated."""
    return WidgetSettings(
        position=current.position if changes.position is None else check_position(changes.position),
        color=current.color if changes.color is None else check_color(changes.color),
        title=current.title
        if changes.title is None
        else clean_text(changes.title, field="title", max_chars=TITLE_MAX_CHARS, multiline=False),
        greeting=current.greeting
        if changes.greeting is None
        else clean_text(changes.greeting, field="greeting", max_chars=GREETING_MAX_CHARS),
        allowed_sites=current.allowed_sites
        if changes.allowed_sites is None
        else check_sites(changes.allowed_sites),
    )


WHITE, INK = "#ffffff", "#111827"


def _luminance(color: str) -> float:
    """WCAG relative luminance of a #rrggbb colour."""

    def channel(hex_pair: str) -> float:
        value = int(hex_pair, 16) / 255
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(color[i : i + 2]) for i in (1, 3, 5))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(one: str, other: str) -> float:
    high, low = sorted((_luminance(one), _luminance(other)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def text_color_on(color: str) -> str:
    """White or ink, whichever reads better on `color`."""
    return WHITE if contrast(color, WHITE) >= contrast(color, INK) else INK
