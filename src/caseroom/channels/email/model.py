"""What a parsed mail is made of: addresses, files and the leniency flags."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Flag(StrEnum):
    CHARSET_FALLBACK = "charset-fallback"  # a text part was not in its declared charset
    DEFECTS = "defects"  # the MIME structure was broken and read as well as possible
    HTML_ONLY = "html-only"  # the text body is a rendering of the HTML
    REMOTE_IMAGES = "remote-images"  # the HTML had remote images, now blocked
    UUENCODED = "uuencoded"  # files were found uuencoded in a text body
    TOO_DEEP = "too-deep"  # parts nested past the limit were left out
    TOO_MANY_PARTS = "too-many-parts"  # parts past the limit were left out
    NO_BODY = "no-body"  # neither text nor files


@dataclass(frozen=True, slots=True)
class Address:
    address: str  # lower case
    name: str = ""


@dataclass(frozen=True, slots=True)
class MailPart:
    filename: str
    content_type: str
    data: bytes = field(repr=False)
    content_id: str | None = None  # without angle brackets
    inline: bool = False  # shown in the body (a cid: image), not a plain attachment
