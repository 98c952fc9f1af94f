"""RFC 9457 problem details: every error the API returns has this shape."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from caseroom.domain import errors

PROBLEM_JSON = "application/problem+json"
PROBLEM_BASE = "https://caseroom.dev/problems/"

STATUS_OF: dict[type[errors.DomainError], int] = {
    errors.NotAuthenticated: 401,
    errors.Forbidden: 403,
    errors.NotFound: 404,
    errors.Gone: 410,
    errors.IllegalTransition: 409,
    errors.LimitReached: 409,
    errors.Conflict: 409,
    errors.InvalidInput: 422,
    errors.TooLarge: 413,
    errors.RateLimited: 429,
}


RESERVED = frozenset({"type", "title", "status", "detail", "instance"})


def problem_body(
    status: int, code: str, title: str, detail: str, extra: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """The RFC 9457 members, then any extension members that do not shadow them."""
    body: dict[str, Any] = {
        "type": PROBLEM_BASE + code,
        "title": title,
        "status": status,
        "detail": detail,
    }
    body.update({k: v for k, v in (extra or {}).items() if k not in RESERVED})
    return body


def domain_problem(error: errors.DomainError) -> dict[str, Any]:
    return problem_body(status_for(error), error.code, error.title, error.detail, error.extra)


def problem_response(body: dict[str, Any]) -> JSONResponse:
    status = int(body["status"])
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def problem(status: int, code: str, title: str, detail: str, **extra: Any) -> JSONResponse:
    return problem_response(problem_body(status, code, title, detail, extra))


def status_for(error: errors.DomainError) -> int:
    for cls in type(error).__mro__:
        if cls in STATUS_OF:
            return STATUS_OF[cls]
    return 400


async def _domain_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, errors.DomainError)
    return problem_response(domain_problem(error))


async def _validation_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    issues = error.errors()
    if any(i.get("type") == "json_invalid" for i in issues):
        return problem(
            400, "malformed-json", "Malformed JSON", "the request body is not valid JSON"
        )
    fields = [
        {
            "location": ".".join(str(p) for p in i.get("loc", ())),
            "message": i.get("msg", ""),
            "type": i.get("type", ""),
        }
        for i in issues
    ]
    first = fields[0] if fields else {"location": "", "message": "invalid"}
    return problem(
        422,
        "validation-failed",
        "Validation failed",
        f"{first['location']}: {first['message']}",
        errors=fields,
    )


async def _http_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, StarletteHTTPException)
    titles = {404: "Not found", 405: "Method not allowed", 413: "Request too large"}
    code = {404: "not-found", 405: "method-not-allowed", 413: "too-large"}.get(
        error.status_code, "http-error"
    )
    title = titles.get(error.status_code, "Request failed")
    detail = error.detail if isinstance(error.detail, str) else title
    return problem(error.status_code, code, title, detail)


def install_problem_handlers(app: FastAPI) -> None:
    app.add_exception_handler(errors.DomainError, _domain_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)


class BodySizeLimit:
    """Refuse request bodies over `limit` bytes with 413, whether or not the client
    announced a Content-Length, before the application reads them. Paths matching
    a pattern in `larger` (uploads) get that pattern's own cap instead."""

    def __init__(
        self,
        app: ASGIApp,
        limit: int,
        exempt_prefixes: tuple[str, ...] = (),
        larger: tuple[tuple[str, int], ...] = (),
    ) -> None:
        self.app = app
        self.default_limit = limit
        self.exempt = exempt_prefixes
        self.larger = tuple((re.compile(pattern), cap) for pattern, cap in larger)

    def limit_for(self, path: str) -> int:
        for pattern, cap in self.larger:
            if pattern.fullmatch(path):
                return cap
        return self.default_limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(self.exempt):
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope["path"])
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await self._refuse(scope, receive, send, limit)
            return
        seen = 0
        exceeded = False

        async def limited_receive() -> Message:
            nonlocal seen, exceeded
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    exceeded = True
                    raise _TooLarge
            return message

        async def guarded_send(message: Message) -> None:
            # Whatever the application makes of the interrupted body (a framework
            # may turn it into its own 400), the client gets the 413.
            if not exceeded:
                await send(message)

        with contextlib.suppress(_TooLarge):
            await self.app(scope, limited_receive, guarded_send)
        if exceeded:
            await self._refuse(scope, receive, send, limit)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        response = problem(
            413,
            "too-large",
            "Request too large",
            f"the request body is larger than {limit} bytes",
            limit=limit,
        )
        await response(scope, receive, send)


class _TooLarge(Exception):
    pass
