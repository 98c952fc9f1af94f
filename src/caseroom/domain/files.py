"""Files people send: safe names, the content type the bytes really have, and
which types a browser may show inline. Pure: bytes and strings in, values out."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# How many leading bytes `sniff_content_type` looks at.
SNIFF_BYTES = 4096

# Shown inline only when the bytes were sniffed as one of these; everything else
# (HTML, SVG, XML, scripts, PDF, archives, unknown) is always a download.
SAFE_INLINE = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp", "text/plain"})

_FALLBACK_NAME = "file"
_RESERVED = re.compile(r'[<>:"|?*\\/]')
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class StoredFile:
    """A file already durable in the blob store, ready to attach to a message."""

    filename: str
    content_type: str
    size: int
    sha256: str


def clean_filename(raw: str | None, *, max_chars: int) -> str:
    """A display name that is only a name: no directories, no control or format
    characters, no leading dots, no characters file systems reserve, and at most
    `max_chars` characters with the extension kept."""
    name = unicodedata.normalize("NFC", raw or "")
    name = re.split(r"[/\\]", name)[-1]
    name = "".join(c for c in name if not unicodedata.category(c).startswith("C"))
    name = _SPACES.sub(" ", _RESERVED.sub("_", name)).strip(" .")
    if not name:
        return _FALLBACK_NAME
    if len(name) <= max_chars:
        return name
    stem, dot, extension = name.rpartition(".")
    if dot and 0 < len(extension) <= 16 and stem:
        return stem[: max_chars - len(extension) - 1].rstrip(" .") + "." + extension
    return name[:max_chars].rstrip(" .")


# (offset, signature, content type), checked in order.
_MAGIC: tuple[tuple[int, bytes, str], ...] = (
    (0, b"\x89PNG\r\n\x1a\n", "image/png"),
    (0, b"\xff\xd8\xff", "image/jpeg"),
    (0, b"GIF87a", "image/gif"),
    (0, b"GIF89a", "image/gif"),
    (0, b"BM", "image/bmp"),
    (0, b"II*\x00", "image/tiff"),
    (0, b"MM\x00*", "image/tiff"),
    (0, b"\x00\x00\x01\x00", "image/vnd.microsoft.icon"),
    (0, b"%PDF-", "application/pdf"),
    (0, b"\x1f\x8b", "application/gzip"),
    (0, b"7z\xbc\xaf\x27\x1c", "application/x-7z-compressed"),
    (0, b"Rar!\x1a\x07", "application/vnd.rar"),
    (0, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "application/x-ole-storage"),
    (0, b"{\\rtf", "application/rtf"),
    (0, b"ID3", "audio/mpeg"),
    (0, b"fLaC", "audio/flac"),
    (0, b"OggS", "audio/ogg"),
    (0, b"\x1a\x45\xdf\xa3", "video/webm"),
    (0, b"\x7fELF", "application/x-executable"),
    (0, b"MZ", "application/x-msdownload"),
    (0, b"\x00asm", "application/wasm"),
)

_RIFF = {b"WEBP": "image/webp", b"WAVE": "audio/wav", b"AVI ": "video/x-msvideo"}
_OFFICE = ((b"word/", "docx"), (b"xl/", "xlsx"), (b"ppt/", "pptx"))
_OFFICE_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}
_HTML_MARKERS = (
    b"<!doctype html",
    b"<html",
    b"<head",
    b"<body",
    b"<script",
    b"<iframe",
    b"<style",
    b"<title",
    b"<a ",
    b"<img",
    b"<div",
    b"<table",
    b"<meta",
    b"<!--",
)


def sniff_content_type(head: bytes) -> str:
    """The content type of a file from its first bytes (at least SNIFF_BYTES of
    them when the file is that long), never from its name or the client's claim."""
    for offset, signature, content_type in _MAGIC:
        if head[offset : offset + len(signature)] == signature:
            return content_type
    if head[:4] == b"RIFF" and head[8:12] in _RIFF:
        return _RIFF[head[8:12]]
    if head[4:8] == b"ftyp":
        return "video/quicktime" if head[8:10] == b"qt" else "video/mp4"
    if head[:4] == b"PK\x03\x04":
        for marker, kind in _OFFICE:
            if marker in head:
                return _OFFICE_TYPES[kind]
        return "application/zip"
    if len(head) >= 2 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0:
        return "audio/mpeg"
    return _sniff_text(head)


def _sniff_text(head: bytes) -> str:
    text = _decode_utf8_prefix(head)
    if text is None:
        return "application/octet-stream"
    lowered = text.lstrip("\ufeff \t\r\n").lower().encode()
    if b"<svg" in lowered:
        return "image/svg+xml"
    if lowered.startswith(b"<?xml"):
        return "application/xml"
    if any(marker in lowered for marker in _HTML_MARKERS):
        return "text/html"
    return "text/plain"


def _decode_utf8_prefix(head: bytes) -> str | None:
    """The text of `head` if it is UTF-8 without NUL or other binary control bytes
    (a character cut at the end of the sample is allowed)."""
    for cut in range(4):
        try:
            text = head[: len(head) - cut].decode("utf-8")
        except UnicodeDecodeError:
            continue
        binary = any(ord(c) < 32 and c not in "\t\n\r\f" for c in text)
        return None if binary else text
    return None


def serves_inline(content_type: str) -> bool:
    return content_type in SAFE_INLINE
