"""RFC 9457 problem details: every error the API returns has this shape."""

from __future__ import annotations

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
    errors.IllegalTransition: 409,
    errors.LimitReached: 409,
    errors.Conflict: 409,
    errors.InvalidInput: 422,
}


def problem(status: int, code: str, title: str, detail: str, **extra: Any) -> JSONResponse:
    body = {"type": PROBLEM_BASE + code, "title": title, "status": status, "detail": detail}
    body.update(extra)
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def status_for(error: errors.DomainError) -> int:
    for cls in type(error).__mro__:
        if cls in STATUS_OF:
            return STATUS_OF[cls]
    return 400


async def _domain_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, errors.DomainError)
    return problem(status_for(error), error.code, error.title, error.detail, **error.extra)


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
    announced a Content-Length, before the application reads them."""

    def __init__(self, app: ASGIApp, limit: int, exempt_prefixes: tuple[str, ...] = ()) -> None:
        self.app = app
        self.limit = limit
        self.exempt = exempt_prefixes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(self.exempt):
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            await self._refuse(scope, receive, send)
            return
        seen = 0

        async def limited_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    raise _TooLarge
            return message

        try:
            await self.app(scope, limited_receive, send)
        except _TooLarge:
            await self._refuse(scope, receive, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = problem(
            413,
            "too-large",
            "Request too large",
            f"the request body is larger than {self.limit} bytes",
            limit=self.limit,
        )
        await response(scope, receive, send)


class _TooLarge(Exception):
    pass
