"""Lenient decoding of what mail clients really send: declared charsets that are
wrong or missing, raw 8-bit headers, RFC 2047 words in odd places, transfer
encodings spelled wrongly, broken base64 and uuencode."""

from __future__ import annotations

import base64
import binascii
import codecs
import quopri
import re
from email.header import decode_header
from email.message import Message

# Labels clients declare that name a wider charset in practice (as browsers read them).
CHARSET_ALIASES = {
    "iso-8859-1": "windows-1252",
    "latin1": "windows-1252",
    "latin-1": "windows-1252",
    "us-ascii": "windows-1252",
    "ascii": "windows-1252",
    "iso-8859-9": "windows-1254",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "shift_jis": "cp932",
    "shift-jis": "cp932",
    "sjis": "cp932",
    "x-sjis": "cp932",
    "euc-kr": "cp949",
    "ks_c_5601-1987": "cp949",
    "ks_c_5601": "cp949",
    "iso-2022-jp": "iso2022_jp_ext",
    "unicode-1-1-utf-7": "utf-7",
    "utf8": "utf-8",
    "unicode": "utf-8",
    "tis-620": "cp874",
    "big5": "big5hkscs",
}
FALLBACKS = ("utf-8", "windows-1252")


def to_bytes(value: str | bytes) -> bytes:
    """The original bytes of a value the parser read as ASCII with surrogate escapes."""
    if isinstance(value, bytes):
        return value
    return value.encode("utf-8", "surrogateescape")


def known_charset(label: str | None) -> str | None:
    """A Python codec for a declared charset label, or None when it names none."""
    if not label:
        return None
    name = label.strip().strip("\"'").lower()
    name = CHARSET_ALIASES.get(name, name)
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def decode_text(data: bytes, declared: str | None) -> tuple[str, bool]:
    """Text from bytes: the declared charset, then UTF-8, then windows-1252; the
    flag says the declared one did not fit (or none was declared for 8-bit data).
    Many clients declare a legacy charset and send UTF-8: bytes that are valid
    UTF-8 with multi-byte sequences are read as UTF-8 whatever the label (text in
    a legacy charset is almost never valid UTF-8)."""
    charset = known_charset(declared)
    if data.isascii() and not (charset or "").startswith(("utf-7", "iso2022", "hz")):
        return data.decode("ascii"), False
    if charset != "utf-8" and not data.isascii():
        try:
            return data.decode("utf-8"), charset is not None
        except UnicodeDecodeError:
            pass
    if charset is not None:
        try:
            return codecs.decode(data, charset), False
        except (UnicodeDecodeError, LookupError):
            pass
    for candidate in ("utf-8", charset):
        mostly = _mostly(data, candidate) if candidate else None
        if mostly is not None:
            return mostly, True
    for candidate in FALLBACKS:
        if candidate == charset:
            continue
        try:
            return data.decode(candidate), True
        except UnicodeDecodeError:
            continue
    return data.decode("windows-1252", "replace"), True


def _mostly(data: bytes, charset: str) -> str | None:
    """Text in a charset with a few broken bytes (a damaged transfer) stays in
    that charset, the broken bytes replaced, rather than turning every character
    into windows-1252 noise."""
    try:
        text = codecs.decode(data, charset, "replace")
    except LookupError:
        return None
    broken = text.count("\ufffd")
    fine = len(text) - len(text.encode("ascii", "ignore")) - broken
    return text if fine >= 8 * broken else None


def clean_text(text: str) -> str:
    """No NUL characters (no database stores them in text) and no lone surrogates."""
    text = text.replace("\x00", "")
    return text.encode("utf-8", "replace").decode("utf-8") if _has_surrogates(text) else text


_SURROGATE = re.compile("[\ud800-\udfff]")


def _has_surrogates(text: str) -> bool:
    return _SURROGATE.search(text) is not None


_ENCODED_WORD = re.compile(r"=\?[^?\s]+\?[bBqQ]\?[^?]*\?=")
_FOLD = re.compile(r"\r?\n[ \t]*")


def header_text(raw: str | bytes, charset: str | None = None) -> str:
    """A header value as text: unfolded, raw 8-bit bytes read as UTF-8 (RFC 6532),
    else in `charset` (the body's, which such senders use for headers too), else
    windows-1252; RFC 2047 words decoded even when their charset is wrong."""
    value = _FOLD.sub(" ", raw if isinstance(raw, str) else raw.decode("ascii", "surrogateescape"))
    if _has_surrogates(value):
        value, _ = decode_text(to_bytes(value), charset or "utf-8")
    if "=?" in value and _ENCODED_WORD.search(value):
        value = _decode_words(value)
    return clean_text(value).strip()


def _decode_words(value: str) -> str:
    try:
        chunks = decode_header(value)
    except (binascii.Error, ValueError, AssertionError):
        return value
    pieces = []
    for chunk, charset in chunks:
        if isinstance(chunk, str):
            pieces.append(chunk)
        elif charset is None:
            pieces.append(chunk.decode("raw-unicode-escape", "replace"))
        else:
            pieces.append(decode_text(chunk, charset)[0])
    return "".join(pieces)


def transfer_encoding(part: Message) -> str:
    """The part's Content-Transfer-Encoding as one of base64, quoted-printable,
    x-uuencode or identity, read from what clients write ("quoted printable", "7-bit")."""
    raw = str(part.get("content-transfer-encoding", "") or "").strip().lower()
    squashed = re.sub(r"[^a-z0-9]", "", raw)
    if "base64" in squashed:
        return "base64"
    if squashed.startswith("quoted") or squashed == "qp":
        return "quoted-printable"
    if "uu" in squashed:
        return "x-uuencode"
    return "identity"


def payload_bytes(part: Message) -> bytes:
    """A leaf part's content, transfer encoding undone as leniently as possible."""
    data = raw_payload(part)
    encoding = transfer_encoding(part)
    if encoding == "base64":
        return lenient_base64(data)
    if encoding == "quoted-printable":
        return quopri.decodestring(data)
    if encoding == "x-uuencode":
        files = uudecode_blocks(data)
        return files[0][1] if files else data
    return data


def raw_payload(part: Message) -> bytes:
    """A leaf part's bytes as they came. `get_payload()` would decode 8-bit text
    with the declared charset, replacing what does not fit; the parser keeps the
    original bytes as surrogate escapes in `_payload`."""
    payload = part._payload  # type: ignore[attr-defined]
    return to_bytes(payload) if isinstance(payload, str | bytes) else b""


_NOT_BASE64 = re.compile(rb"[^A-Za-z0-9+/]")


def lenient_base64(data: bytes) -> bytes:
    """Base64 with stray characters ignored and padding repaired; a dangling
    last character (never valid) is dropped."""
    cleaned = _NOT_BASE64.sub(b"", data.split(b"=", 1)[0] if b"=" in data else data)
    if len(cleaned) % 4 == 1:
        cleaned = cleaned[:-1]
    cleaned += b"=" * (-len(cleaned) % 4)
    try:
        return base64.b64decode(cleaned)
    except binascii.Error:
        return b""


_UU_BEGIN = re.compile(rb"^begin(?:-base64)? +([0-7]{3,4}) +(.+?)\s*$", re.MULTILINE)


def uudecode_blocks(data: bytes) -> list[tuple[str, bytes, int, int]]:
    """Each uuencoded file in data as (name, content, start, end offsets of the block)."""
    found = []
    for begin in _UU_BEGIN.finditer(data):
        end = re.compile(rb"^end\s*$", re.MULTILINE).search(data, begin.end())
        stop = end.end() if end else len(data)
        body = data[begin.end() : end.start() if end else len(data)]
        content = bytearray()
        for line in body.splitlines():
            if not line.strip() or line.strip() == b"`":
                continue
            content += _uu_line(line)
        name = header_text(begin.group(2)) or "attachment"
        found.append((name, bytes(content), begin.start(), stop))
    return found


def _uu_line(line: bytes) -> bytes:
    try:
        return binascii.a2b_uu(line)
    except binascii.Error:
        # Encoders that add or drop trailing characters: decode what the length byte promises.
        count = ((line[0] - 32) & 63) * 4 + 2
        try:
            return binascii.a2b_uu(line[: 1 + count // 3])
        except binascii.Error:
            return b""


def unflow(text: str, *, delsp: bool = False) -> str:
    """format=flowed text (RFC 3676, as Thunderbird and Apple Mail send it) with
    its soft line breaks joined: a line ending in a space continues on the next
    line of the same quote depth; the "-- " signature line never does."""
    out: list[str] = []
    carry: tuple[int, str] | None = None
    for line in text.replace("\r\n", "\n").split("\n"):
        depth = len(line) - len(line.lstrip(">"))
        content = line[depth:]
        if content.startswith(" "):
            content = content[1:]  # space-stuffing
        if carry is not None and carry[0] == depth:
            content = carry[1] + content
        elif carry is not None:
            out.append(">" * carry[0] + (" " if carry[0] else "") + carry[1])
        carry = None
        if content.endswith(" ") and content != "-- ":
            carry = (depth, content[:-1] if delsp else content)
            continue
        out.append(">" * depth + (" " if depth else "") + content)
    if carry is not None:
        out.append(">" * carry[0] + (" " if carry[0] else "") + carry[1])
    return "\n".join(out)
