"""Validation and normalization of text people type: bodies, names, contacts."""

from __future__ import annotations

import re
import unicodedata

from caseroom.domain.errors import InvalidInput

_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")
_CONTROL = {"Cc", "Cf", "Cs", "Co", "Cn"}


def clean_text(value: str, *, field: str, max_chars: int, multiline: bool = True) -> str:
    """Strip the ends, refuse empty, oversize, or control characters (tab and newline
    are allowed in multi-line text)."""
    text = value.strip()
    if not text:
        raise InvalidInput(f"{field} must not be empty", field=field)
    if len(text) > max_chars:
        raise InvalidInput(
            f"{field} is longer than {max_chars} characters", field=field, limit=max_chars
        )
    allowed = {"\n", "\t", "\r"} if multiline else set()
    for char in text:
        if char not in allowed and unicodedata.category(char) in _CONTROL and char != "\u200d":
            raise InvalidInput(f"{field} contains a control character", field=field)
    return text


def normalize_email(value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    email = value.strip().lower()
    if len(email) > 254 or not _EMAIL.match(email):
        raise InvalidInput("email is not a valid address", field="email")
    return email


def normalize_phone(value: str | None) -> str | None:
    """E.164-style: a plus and 8 to 15 digits; spaces, dots, dashes and brackets dropped."""
    if value is None or not value.strip():
        return None
    stripped = re.sub(r"[\s.\-()]", "", value.strip())
    digits = stripped[1:] if stripped.startswith("+") else stripped.removeprefix("00")
    if not digits.isdigit() or not 8 <= len(digits) <= 15:
        raise InvalidInput("phone must be an international number like +15551234567", field="phone")
    return "+" + digits
