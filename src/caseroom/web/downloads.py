"""Serving stored files. Nothing a user uploaded runs in our origin: only types on
the safe-inline list are shown in the browser, everything else is a download,
the browser may not second-guess the type, and the response's CSP allows
nothing and sandboxes the document even if it is opened."""

from __future__ import annotations

from collections.abc import AsyncIterator
from urllib.parse import quote

from starlette.responses import StreamingResponse

from caseroom.domain.files import serves_inline

DOWNLOAD_CSP = "default-src 'none'; sandbox; frame-ancestors 'none'"


def content_disposition(filename: str, *, inline: bool) -> str:
    """Both forms: a plain ASCII name for old clients and the exact UTF-8 name."""
    fallback = "".join(
        c if c.isascii() and c.isprintable() and c not in '"\\' else "_" for c in filename
    )
    kind = "inline" if inline else "attachment"
    return f"{kind}; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def file_response(
    chunks: AsyncIterator[bytes],
    *,
    content_type: str,
    filename: str,
    size: int,
    download: bool = False,
) -> StreamingResponse:
    inline = serves_inline(content_type) and not download
    media_type = (
        f"{content_type}; charset=utf-8" if content_type.startswith("text/") else content_type
    )
    headers = {
        "Content-Length": str(size),
        "Content-Disposition": content_disposition(filename, inline=inline),
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": DOWNLOAD_CSP,
        "Cross-Origin-Resource-Policy": "same-origin",
        "Referrer-Policy": "no-referrer",
        "Cache-Control": "private, no-store",
    }
    return StreamingResponse(chunks, media_type=media_type, headers=headers)
