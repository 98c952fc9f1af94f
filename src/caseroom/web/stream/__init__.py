"""The websocket event stream, `GET /api/v1/stream` (docs/events.md).

This module authenticates the socket and hands it to a session
(`session.py`: the queue and its single writer); `frames.py` holds what the
client may send and what each frame does, `catchup.py` the resume from the
database.
"""

from __future__ import annotations

import asyncio
import contextlib
from urllib.parse import urlsplit

from fastapi import APIRouter, WebSocket, WebSocketDisconnect

from caseroom.domain.errors import DomainError, NotAuthenticated
from caseroom.domain.model import Principal
from caseroom.web.context import AppContext, get_context
from caseroom.web.deps import SESSION_COOKIE, bearer_token, resolve_principal
from caseroom.web.stream.frames import Hello, parse_frame
from caseroom.web.stream.session import CLOSE_SLOW_CONSUMER, StreamSession

__all__ = [
    "CLOSE_ORIGIN",
    "CLOSE_SLOW_CONSUMER",
    "CLOSE_UNAUTHENTICATED",
    "StreamSession",
    "router",
]

router = APIRouter()

CLOSE_UNAUTHENTICATED = 4401
CLOSE_ORIGIN = 4403
_HELLO_TIMEOUT = 10  # seconds


def _same_origin(ws: WebSocket) -> bool:
    origin = ws.headers.get("origin")
    if origin is None:
        return True  # not a browser: cookies are not ambient authority there
    return urlsplit(origin).netloc == ws.headers.get("host", "")


async def _authenticate(ws: WebSocket, context: AppContext) -> Principal:
    token = bearer_token(ws)
    if token is None and (cookie := ws.cookies.get(SESSION_COOKIE)):
        if not _same_origin(ws):
            raise NotAuthenticated("cross-origin socket with a session cookie")
        token = cookie
    if token is None:
        raw = await asyncio.wait_for(ws.receive_text(), timeout=_HELLO_TIMEOUT)
        try:
            hello = parse_frame(raw)
        except DomainError as error:
            raise NotAuthenticated("the first frame must be a hello with a token") from error
        if not isinstance(hello, Hello) or not hello.token:
            raise NotAuthenticated("the first frame must be a hello with a token")
        token = hello.token
    return await resolve_principal(context, token)


@router.websocket("/api/v1/stream")
async def stream(ws: WebSocket) -> None:
    context = get_context(ws)
    await ws.accept()
    try:
        principal = await _authenticate(ws, context)
    except (DomainError, TimeoutError, WebSocketDisconnect) as error:
        reason = error.detail if isinstance(error, DomainError) else "no hello"
        with contextlib.suppress(Exception):
            await ws.close(CLOSE_UNAUTHENTICATED, reason[:120])
        return
    await StreamSession(ws, context, principal).run()
