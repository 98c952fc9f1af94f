"""File names and sniffed content types: pure functions, checked as properties."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from caseroom.domain.files import SAFE_INLINE, clean_filename, serves_inline, sniff_content_type

MAX = 80


@given(st.text(max_size=400))
def test_a_cleaned_name_is_only_a_name(raw: str) -> None:
    name = clean_filename(raw, max_chars=MAX)
    assert 0 < len(name) <= MAX
    assert "/" not in name and "\\" not in name
    assert not any(unicodedata.category(c).startswith("C") for c in name)
    assert not name.startswith(".") and name == name.strip()
    assert name not in {".", ".."}


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\me\\report.pdf", "report.pdf"),
        ("..", "file"),
        ("", "file"),
        (None, "file"),
        (".htaccess", "htaccess"),
        ("in\x00voice\u202e.pdf", "invoice.pdf"),
        ('what?<b>"x".txt', "what__b__x_.txt"),
        ("<b>bold</b>.html", "b_.html"),  # a slash is a path separator, wherever it is
        ("  many    spaces  .png", "many spaces .png"),
        ("caf\u0065\u0301.txt", "caf\u00e9.txt"),
    ],
)
def test_names_people_and_attackers_send(raw: str | None, expected: str) -> None:
    assert clean_filename(raw, max_chars=MAX) == expected


def test_a_long_name_keeps_its_extension() -> None:
    name = clean_filename("a" * 300 + ".tar.gz", max_chars=MAX)
    assert len(name) == MAX and name.endswith(".gz")


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00", "image/png"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "image/jpeg"),
        (b"GIF89a\x01\x00", "image/gif"),
        (b"RIFF\x00\x00\x00\x00WEBPVP8 ", "image/webp"),
        (b"%PDF-1.7\n", "application/pdf"),
        (
            b"PK\x03\x04\x14\x00\x00\x00word/document.xml",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        (b"PK\x03\x04\x14\x00", "application/zip"),
        (b"\x00\x00\x00\x18ftypmp42", "video/mp4"),
        (b"MZ\x90\x00", "application/x-msdownload"),
        (b"<!DOCTYPE html><p>hi", "text/html"),
        (b"\xef\xbb\xbf  <script>alert(1)</script>", "text/html"),
        (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg">', "image/svg+xml"),
        (b'<?xml version="1.0"?><note/>', "application/xml"),
        (b"Dear support, my order 4411...", "text/plain"),
        ("Grüße aus Köln".encode(), "text/plain"),
        ("€".encode()[:2], "text/plain"),  # a character cut by the sample's end
        (b"\x00\x01\x02\x03binary", "application/octet-stream"),
        (b"", "text/plain"),
    ],
)
def test_types_are_sniffed_from_the_bytes(head: bytes, expected: str) -> None:
    assert sniff_content_type(head) == expected


def test_only_images_and_plain_text_may_show_inline() -> None:
    assert {"image/png", "image/jpeg", "image/gif", "image/webp", "text/plain"} == SAFE_INLINE
    for active in ("text/html", "image/svg+xml", "application/xml", "application/pdf"):
        assert not serves_inline(active)


@given(st.binary(max_size=64))
def test_sniffing_anything_gives_a_type(head: bytes) -> None:
    assert "/" in sniff_content_type(head)
