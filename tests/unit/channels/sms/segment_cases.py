"""Texts with their known encoding and part count, shared by the Python and the
browser (JavaScript) segment counters."""

from __future__ import annotations

# (text, encoding, segments, units)
SEGMENT_CASES: list[tuple[str, str, int, int]] = [
    ("", "GSM-7", 0, 0),
    ("Hello", "GSM-7", 1, 5),
    ("a" * 160, "GSM-7", 1, 160),
    ("a" * 161, "GSM-7", 2, 161),
    ("a" * 306, "GSM-7", 2, 306),
    ("a" * 307, "GSM-7", 3, 307),
    ("Prix: 5€ [promo] {ok} ~ ^ | \\", "GSM-7", 1, 38),
    ("€" * 80, "GSM-7", 1, 160),
    ("€" * 81, "GSM-7", 2, 162),
    # 152 plain septets then an extension character: it moves whole to part two.
    ("a" * 152 + "€" + "a" * 10, "GSM-7", 2, 164),
    ("Grüße aus Köln, Ça va? ñ Ø Δ", "GSM-7", 1, 28),
    ("ça", "UCS-2", 1, 2),
    ("Ça coûte 5 €", "UCS-2", 1, 12),
    ("x" * 70 + "ê", "UCS-2", 2, 71),
    ("ê" * 70, "UCS-2", 1, 70),
    ("ê" * 134, "UCS-2", 2, 134),
    ("ê" * 135, "UCS-2", 3, 135),
    ("Thanks 👍", "UCS-2", 1, 9),
    ("👍" * 35, "UCS-2", 1, 70),
    ("👍" * 36, "UCS-2", 2, 72),
    # 66 units then an emoji (2 units): the pair is not split, part two starts with it.
    ("ê" * 66 + "👍" + "ê" * 3, "UCS-2", 2, 71),
    ("Привет, как дела?", "UCS-2", 1, 17),
    ("line one\nline two\r\n", "GSM-7", 1, 19),
    ("tab\there", "UCS-2", 1, 8),
]
