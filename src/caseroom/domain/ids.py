"""Identifiers: random, unguessable, sortable by creation time."""

from __future__ import annotations

import os
import time


def new_id() -> str:
    """A 26-character id: 48-bit millisecond timestamp then 80 random bits, base32."""
    value = (int(time.time() * 1000) << 80) | int.from_bytes(os.urandom(10), "big")
    alphabet = "0123456789abcdefghjkmnpqrstvwxyz"
    chars = []
    for _ in range(26):
        value, rem = divmod(value, 32)
        chars.append(alphabet[rem])
    return "".join(reversed(chars))
