"""The security headers of the pages caseroom serves. Every page loads only its
own scripts and styles and talks only to this server. The console and the
first-run pages are never framed; the chat pages the widget and embed show are
framed only by the organization's allowed sites (any site until it names some);
the Connect page is a page of its own."""

from __future__ import annotations

from collections.abc import Sequence

from starlette.types import ASGIApp, Message, Receive, Scope, Send

_POLICY = (
    "default-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; "
    "connect-src 'self'; style-src 'self'; frame-src 'self' blob:; object-src 'none'; "
    "base-uri 'none'; form-action 'self'"
)


def _headers(frame_ancestors: str) -> dict[str, str]:
    return {
        "Content-Security-Policy": f"{_POLICY}; frame-ancestors {frame_ancestors}",
        "Referrer-Policy": "same-origin",
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "no-cache",  # a new release is picked up at once
    }


# The console, /setup and /invite.
SHELL_HEADERS = {**_headers("'none'"), "X-Frame-Options": "DENY"}


def chat_page_headers(allowed_sites: Sequence[str] | None) -> dict[str, str]:
    """None: not framed at all (Connect). Empty: any site may frame the chat."""
    if allowed_sites is None:
        return {**_headers("'none'"), "X-Frame-Options": "DENY"}
    return _headers(" ".join(allowed_sites) if allowed_sites else "*")


class StrictTransportSecurity:
    """HSTS on every response served over TLS (directly, or behind a trusted
    proxy that says so with X-Forwarded-Proto, which uvicorn applies to the
    scheme): browsers then refuse plain HTTP to this host."""

    def __init__(self, app: ASGIApp, *, max_age: int) -> None:
        self.app = app
        self.value = f"max-age={max_age}; includeSubDomains".encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("scheme") != "https":
            await self.app(scope, receive, send)
            return

        async def with_header(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [
                    *message.get("headers", []),
                    (b"strict-transport-security", self.value),
                ]
            await send(message)

        await self.app(scope, receive, with_header)
