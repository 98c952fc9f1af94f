"""Short human references for Issues: 6 characters from an unambiguous alphabet."""

from __future__ import annotations

import secrets

# No 0/O, 1/I/L, or U (avoids accidental words); digits 2-9 and 22 letters.
ALPHABET = "ABCDEFGHJKMNPQRSTVWXYZ23456789"
LENGTH = 6


def new_reference() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def normalize_reference(text: str) -> str | None:
    """Accept what a person types (lower case, spaces, dashes); None if it cannot be one."""
    cleaned = text.strip().upper().replace(" ", "").replace("-", "")
    if len(cleaned) != LENGTH or any(c not in ALPHABET for c in cleaned):
        return None
    return cleaned
