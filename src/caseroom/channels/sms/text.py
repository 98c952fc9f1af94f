"""What an SMS text costs and means: GSM-7 or UCS-2 encoding and segment counts
(3GPP TS 23.038 / 23.040), E.164 phone numbers, and the carrier keywords.

No I/O. The console composer runs the same segment rules in
`web/static/console/sms_segments.js`; a browser test keeps the two in step."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

import phonenumbers

from caseroom.domain.errors import InvalidPhoneNumber

# The GSM 03.38 default alphabet (0x1B, the escape to the extension table, is left out).
GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
# Characters of the extension table: each is sent as escape + char, two septets.
GSM7_EXTENSION = frozenset("\f^{}\\[~]|€")

GSM7 = "GSM-7"
UCS2 = "UCS-2"

# Octets of user data in one message (140) as septets or UTF-16 units, alone and
# when a concatenation header (6 octets) takes its share of every part.
SINGLE_LIMIT = {GSM7: 160, UCS2: 70}
MULTI_LIMIT = {GSM7: 153, UCS2: 67}


@dataclass(frozen=True, slots=True)
class Segments:
    encoding: str  # GSM7 or UCS2
    segments: int
    units: int  # septets (GSM-7) or UTF-16 code units (UCS-2)
    per_segment: int


def is_gsm7(text: str) -> bool:
    return all(c in GSM7_BASIC or c in GSM7_EXTENSION for c in text)


def _unit_sizes(text: str, encoding: str) -> list[int]:
    """Units each character takes; a character is never split across two parts."""
    if encoding == GSM7:
        return [2 if c in GSM7_EXTENSION else 1 for c in text]
    return [2 if ord(c) > 0xFFFF else 1 for c in text]


def count_segments(text: str) -> Segments:
    """The encoding a text goes out in and how many message parts it takes."""
    encoding = GSM7 if is_gsm7(text) else UCS2
    sizes = _unit_sizes(text, encoding)
    units = sum(sizes)
    if units == 0:
        return Segments(encoding, 0, 0, SINGLE_LIMIT[encoding])
    if units <= SINGLE_LIMIT[encoding]:
        return Segments(encoding, 1, units, SINGLE_LIMIT[encoding])
    limit = MULTI_LIMIT[encoding]
    segments, filled = 1, 0
    for size in sizes:
        if filled + size > limit:
            segments, filled = segments + 1, 0
        filled += size
    return Segments(encoding, segments, units, limit)


def normalize_phone(text: str, default_region: str) -> str:
    """The E.164 form (`+14155550100`) of a number as a person types it; a number
    without a country code is read in `default_region` (ISO 3166 code, e.g. US)."""
    cleaned = text.strip()
    if not cleaned:
        raise InvalidPhoneNumber("A phone number is required.")
    try:
        number = phonenumbers.parse(cleaned, default_region.upper() or None)
    except phonenumbers.NumberParseException:
        hint = "" if default_region else "; give it with its country code, like +14155550100"
        raise InvalidPhoneNumber(
            f"{cleaned!r} is not a phone number{hint}.", number=cleaned
        ) from None
    if not phonenumbers.is_valid_number(number):
        raise InvalidPhoneNumber(
            f"{cleaned!r} is not a valid phone number"
            + (
                ""
                if cleaned.startswith("+")
                else f" in region {default_region.upper()}"
                if default_region
                else "; give it with its country code, like +14155550100"
            )
            + ".",
            number=cleaned,
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


class Keyword(StrEnum):
    OPT_OUT = "opt-out"
    OPT_IN = "opt-in"
    HELP = "help"


KEYWORDS: dict[str, Keyword] = {
    **dict.fromkeys(("STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT"), Keyword.OPT_OUT),
    **dict.fromkeys(("START", "UNSTOP", "YES"), Keyword.OPT_IN),
    **dict.fromkeys(("HELP", "INFO"), Keyword.HELP),
}
_NOT_WORD = re.compile(r"[\W_]+")


def classify_keyword(body: str) -> Keyword | None:
    """The keyword a whole text is, as carriers read it: one word, any case, with
    surrounding spaces and punctuation ignored ("Stop.", " stop! "). A sentence
    that merely contains the word ("please stop calling") is no keyword."""
    word = _NOT_WORD.sub("", body.casefold()).upper()
    if _NOT_WORD.sub(" ", body).strip().count(" "):
        return None
    return KEYWORDS.get(word)
