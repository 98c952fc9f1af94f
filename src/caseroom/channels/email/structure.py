"""The MIME tree of a mail read into its body (text and HTML sections, in order)
and its files. Broken structure is read as well as it goes, never refused."""

from __future__ import annotations

import mimetypes
import re
from dataclasses import dataclass, field
from email import policy
from email.message import Message
from html import escape

from caseroom.channels.email.decoding import (
    clean_text,
    decode_text,
    header_text,
    payload_bytes,
    raw_payload,
    to_bytes,
    transfer_encoding,
    unflow,
    uudecode_blocks,
)
from caseroom.channels.email.html import html_to_text, sanitize_html
from caseroom.channels.email.model import Flag, MailPart

MAX_DEPTH = 30
MAX_PARTS = 500
REPORT_PARTS = {
    "message/delivery-status": "delivery-status.txt",
    "message/disposition-notification": "disposition-notification.txt",
    "message/feedback-report": "feedback-report.txt",
    "text/rfc822-headers": "headers.txt",
}


@dataclass(frozen=True, slots=True)
class Body:
    text: str
    html: str | None
    parts: tuple[MailPart, ...]
    flags: frozenset[str]


@dataclass
class _Section:
    text: str
    html: str | None  # unsanitized; None for a text-only section
    rendered: bool = False  # the text is a rendering of the HTML


@dataclass
class _Reader:
    max_depth: int
    max_parts: int
    sections: list[_Section] = field(default_factory=list)
    parts: list[MailPart] = field(default_factory=list)
    flags: set[str] = field(default_factory=set)
    seen: int = 0


def read_body(message: Message, *, max_depth: int, max_parts: int) -> Body:
    reader = _Reader(max_depth, max_parts)
    _visit(reader, message, 0, root=True)
    text = "\n\n".join(s.text.strip("\r\n") for s in reader.sections if s.text.strip())
    html = None
    parts = reader.parts
    if any(s.html is not None and s.html.strip() for s in reader.sections):
        joined = "\n".join(
            s.html if s.html is not None else _text_as_html(s.text) for s in reader.sections
        )
        safe = sanitize_html(joined)
        html = safe.html
        if safe.remote_images:
            reader.flags.add(Flag.REMOTE_IMAGES)
        shown = set(safe.cids)
        parts = [
            MailPart(p.filename, p.content_type, p.data, p.content_id, True)
            if p.content_id in shown and not p.inline
            else p
            for p in parts
        ]
        if not text.strip():
            text = html_to_text(html)
        if all(s.rendered for s in reader.sections if s.text.strip()):
            reader.flags.add(Flag.HTML_ONLY)
    return Body(clean_text(text), html, tuple(parts), frozenset(reader.flags))


def _text_as_html(text: str) -> str:
    return f'<div style="white-space: pre-wrap">{escape(text)}</div>'


def _visit(reader: _Reader, part: Message, depth: int, *, root: bool = False) -> None:
    reader.seen += 1
    if depth > reader.max_depth:
        reader.flags.add(Flag.TOO_DEEP)
        return
    if reader.seen > reader.max_parts:
        reader.flags.add(Flag.TOO_MANY_PARTS)
        return
    ctype = _content_type(part)
    children = part.get_payload() if part.is_multipart() else None
    if ctype.startswith("multipart/"):
        if not isinstance(children, list) or not children:
            _body_text(reader, part, "text/plain")  # a boundary that never came
            return
        _visit_multipart(
            reader, part, ctype, [c for c in children if isinstance(c, Message)], depth
        )
    elif ctype in ("message/rfc822", "message/global"):
        _add_message(reader, part)
    elif ctype == "message/external-body":
        return  # a pointer to content elsewhere: nothing to keep
    elif ctype in ("text/plain", "text/html") and (
        _is_body(part) or (root and not _attached(part))
    ):
        _body_text(reader, part, ctype)
    else:
        _add_file(reader, part, ctype)


def _visit_multipart(
    reader: _Reader, part: Message, ctype: str, children: list[Message], depth: int
) -> None:
    if ctype == "multipart/alternative":
        _visit_alternative(reader, children, depth)
    elif ctype == "multipart/related":
        start = str(part.get_param("start") or "").strip("<> ")
        root = next((c for c in children if _content_id(c) == start), children[0])
        _visit(reader, root, depth + 1)
        for child in children:
            if child is not root:
                _add_file(reader, child, _content_type(child), inline=True)
    elif ctype in ("multipart/signed", "multipart/report"):
        _visit(reader, children[0], depth + 1)
        for child in children[1:]:
            _add_file(reader, child, _content_type(child))
    elif ctype == "multipart/encrypted":
        for child in children:
            _add_file(reader, child, _content_type(child))
    else:
        for child in children:
            _visit(reader, child, depth + 1)


def _visit_alternative(reader: _Reader, children: list[Message], depth: int) -> None:
    """The richest version for the HTML (often multipart/related with its images),
    the plain one for the text."""
    types = [_content_type(c) for c in children]
    plain = next((c for c, t in zip(children, types, strict=True) if t == "text/plain"), None)
    rich = [
        c for c, t in zip(children, types, strict=True) if t == "text/html" or "multipart/" in t
    ]
    if not rich:
        if plain is not None:
            _visit(reader, plain, depth + 1)
        else:
            for child in children:
                _visit(reader, child, depth + 1)
        return
    inner = _Reader(reader.max_depth, reader.max_parts, seen=reader.seen)
    _visit(inner, rich[-1], depth + 1)
    reader.seen = inner.seen
    reader.parts.extend(inner.parts)
    reader.flags |= inner.flags
    sections = inner.sections
    if plain is not None:
        text = _decoded(reader, plain)
        html = "\n".join(s.html if s.html is not None else _text_as_html(s.text) for s in sections)
        sections = [_Section(text, html if sections else None)]
    reader.sections.extend(sections)


def _attached(part: Message) -> bool:
    return (part.get_content_disposition() or "").lower() == "attachment"


def _is_body(part: Message) -> bool:
    return not _attached(part) and not _filename(part)


def _decoded(reader: _Reader, part: Message) -> str:
    data = payload_bytes(part)
    charset = _param(part, "charset")
    if charset is None and _content_type(part) == "text/html":
        found = re.search(rb"<meta[^>]+charset=[\"']?([\w-]+)", data[:4096], re.IGNORECASE)
        charset = found.group(1).decode("ascii") if found else None
    text, fell_back = decode_text(data, charset)
    if fell_back:
        reader.flags.add(Flag.CHARSET_FALLBACK)
    if _content_type(part) == "text/plain" and (_param(part, "format") or "").lower() == "flowed":
        text = unflow(text, delsp=(_param(part, "delsp") or "").lower() == "yes")
    return clean_text(text)


def _body_text(reader: _Reader, part: Message, ctype: str) -> None:
    if ctype == "text/html":
        html = _decoded(reader, part)
        reader.sections.append(_Section(html_to_text(sanitize_html(html).html), html, True))
        return
    text = _decoded(reader, part)
    if "begin " in text and transfer_encoding(part) != "x-uuencode":
        data = to_bytes(text.encode("utf-8", "surrogateescape"))
        blocks = uudecode_blocks(data)
        for name, content, start, end in reversed(blocks):
            reader.parts.append(MailPart(name, _guess_type(name), content))
            data = data[:start] + data[end:]
        if blocks:
            reader.flags.add(Flag.UUENCODED)
            reader.parts[-len(blocks) :] = reversed(reader.parts[-len(blocks) :])
            text = data.decode("utf-8", "replace")
    reader.sections.append(_Section(text, None))


def _room_for_a_file(reader: _Reader) -> bool:
    if len(reader.parts) < reader.max_parts:
        return True
    reader.flags.add(Flag.TOO_MANY_PARTS)
    return False


def _add_message(reader: _Reader, part: Message) -> None:
    if not _room_for_a_file(reader):
        return
    payload = part.get_payload()
    inner = payload[0] if isinstance(payload, list) and payload else None
    if isinstance(inner, Message):
        try:
            data = inner.as_bytes(policy=policy.compat32)
        except Exception:  # regenerating a broken message is best effort
            data = to_bytes(str(inner))
        subject = header_text(str(inner.get("subject", "") or ""))
    else:
        data, subject = payload_bytes(part), ""
    name = _filename(part) or f"{_safe_stem(subject) or 'message'}.eml"
    reader.parts.append(MailPart(name, "message/rfc822", data, _content_id(part)))


def _add_file(reader: _Reader, part: Message, ctype: str, *, inline: bool = False) -> None:
    if not _room_for_a_file(reader):
        return
    if ctype in REPORT_PARTS and part.is_multipart():
        data = _report_blocks(part)
        reader.parts.append(MailPart(REPORT_PARTS[ctype], "text/plain", data))
        return
    if ctype.startswith("message/") and part.is_multipart():
        _add_message(reader, part)
        return
    if part.is_multipart():
        payload = part.get_payload()
        children = payload if isinstance(payload, list) else []
        for child in (c for c in children if isinstance(c, Message)):
            _add_file(reader, child, _content_type(child), inline=inline)
        return
    data = payload_bytes(part)
    name = _filename(part)
    if transfer_encoding(part) == "x-uuencode" and not name:
        blocks = uudecode_blocks(raw_payload(part))
        name = blocks[0][0] if blocks else None
    content_id = _content_id(part)
    if not name:
        name = REPORT_PARTS.get(ctype) or _made_up_name(ctype, len(reader.parts) + 1)
    disposition = (part.get_content_disposition() or "").lower()
    shown = inline and content_id is not None and disposition != "attachment"
    reader.parts.append(MailPart(name, ctype, data, content_id, shown))


def _report_blocks(part: Message) -> bytes:
    """A delivery-status part, which the parser reads as blocks of fields, as text."""
    payload = part.get_payload()
    blocks = [b for b in payload if isinstance(b, Message)] if isinstance(payload, list) else []
    text = "\n".join(
        "".join(f"{name}: {header_text(value)}\n" for name, value in b.raw_items()) for b in blocks
    )
    return text.encode("utf-8")


def _content_type(part: Message) -> str:
    try:
        return part.get_content_type()
    except Exception:
        return "application/octet-stream"


def _param(part: Message, name: str) -> str | None:
    try:
        value = part.get_param(name)
    except Exception:
        return None
    if isinstance(value, tuple):  # an RFC 2231 value: (charset, language, text)
        value = value[2]
    return header_text(str(value)) if value else None


def _content_id(part: Message) -> str | None:
    value = part.get("content-id")
    if value is None:
        return None
    cleaned = header_text(str(value)).strip().strip("<>").strip()
    return cleaned or None


_NAME_PARAM = re.compile(r'(?:file)?name\*?=\s*"?([^";]+)"?', re.IGNORECASE)


def _filename(part: Message) -> str | None:
    """The part's file name (RFC 2231 or RFC 2047 encoded, or raw 8-bit), with any
    folder dropped."""
    name: str | None
    try:
        name = part.get_filename() or _param(part, "name")
    except Exception:  # read it from the raw header instead
        raw = f"{part.get('content-disposition', '')};{part.get('content-type', '')}"
        found = _NAME_PARAM.search(raw)
        name = found.group(1) if found else None
    if not name:
        return None
    name = header_text(name)
    name = re.split(r"[\\/]", name)[-1].strip().strip("\"'")
    return name.replace("\x00", "") or None


def _safe_stem(subject: str) -> str:
    return re.sub(r"[^\w.\- ]+", "", subject).strip()[:80]


EXTENSIONS = {
    "image/png": ".png",
    "image/jpeg": ".jpg",
    "image/gif": ".gif",
    "image/webp": ".webp",
    "image/bmp": ".bmp",
    "image/tiff": ".tif",
    "application/pdf": ".pdf",
    "application/zip": ".zip",
    "text/plain": ".txt",
    "text/html": ".html",
    "text/calendar": ".ics",
    "text/csv": ".csv",
    "text/vcard": ".vcf",
    "text/x-vcard": ".vcf",
}


def _made_up_name(ctype: str, number: int) -> str:
    """A name for a file its sender did not name: image-1.png, part-2.pdf."""
    stem = "image" if ctype.startswith("image/") else "part"
    return f"{stem}-{number}{EXTENSIONS.get(ctype, '.bin')}"


def _guess_type(name: str) -> str:
    return mimetypes.guess_type(name)[0] or "application/octet-stream"
