"""Request authentication: bearer tokens for integrations and customers, a session
cookie with a CSRF check for the browser console."""

from __future__ import annotations

import dataclasses
import hmac
from typing import Annotated

from fastapi import Depends, Request, Security
from fastapi.security import APIKeyCookie, HTTPBearer
from starlette.requests import HTTPConnection

from caseroom.domain.errors import Forbidden, NotAuthenticated
from caseroom.domain.model import AgentPrincipal, Principal
from caseroom.services import auth
from caseroom.web.context import AppContext, get_context

SESSION_COOKIE = "caseroom_session"
CSRF_COOKIE = "caseroom_csrf"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


async def _context(request: Request) -> AppContext:
    # async on purpose: FastAPI runs a plain `def` dependency in a worker thread,
    # a thread hop on every request for a dictionary lookup.
    return get_context(request)


Context = Annotated[AppContext, Depends(_context)]


def bearer_token(connection: HTTPConnection) -> str | None:
    header = connection.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return None


def check_csrf(request: Request) -> None:
    """Double-submit check: a cross-site page can make the browser send our cookie
    but cannot read it to copy it into the header."""
    if request.method in SAFE_METHODS:
        return
    cookie = request.cookies.get(CSRF_COOKIE, "")
    header = request.headers.get(CSRF_HEADER, "")
    if not cookie or not hmac.compare_digest(cookie, header):
        raise Forbidden("missing or wrong CSRF token (send the csrf cookie in X-CSRF-Token)")


async def resolve_principal(context: AppContext, token: str) -> Principal:
    cache = context.principals
    key = auth.token_hash(token)
    # Read first: a change committed after this is caught by the next request.
    epoch = await context.db.principal_epoch() if cache.enabled else None
    cached = cache.get(key, epoch)
    if cached is not None:
        return cached
    principal, credential = await context.db.read(lambda uow: auth.authenticate(uow, token))
    cache.put(key, principal, credential.expires_at, epoch)
    return principal


# Declared so that the OpenAPI document lists both ways to authenticate on every
# operation that needs a principal; the principal itself is read below.
_bearer_scheme = HTTPBearer(
    scheme_name="bearerToken",
    auto_error=False,
    description="An API token (POST /api/v1/tokens), or a customer token (returned when "
    "a conversation starts or an identity token is exchanged).",
)
_cookie_scheme = APIKeyCookie(
    name=SESSION_COOKIE,
    scheme_name="sessionCookie",
    auto_error=False,
    description="The console's session, set by POST /api/v1/auth/login. Requests other "
    f"than GET, HEAD and OPTIONS must also echo the {CSRF_COOKIE} cookie in {CSRF_HEADER}.",
)


async def current_principal(
    request: Request,
    context: Context,
    _bearer: Annotated[object, Security(_bearer_scheme)] = None,
    _cookie: Annotated[object, Security(_cookie_scheme)] = None,
) -> Principal:
    token = bearer_token(request)
    if token is None:
        token = request.cookies.get(SESSION_COOKIE)
        if token is None:
            raise NotAuthenticated("sign in, or send a bearer token")
        check_csrf(request)
    principal = await resolve_principal(context, token)
    if isinstance(principal, AgentPrincipal):
        principal = dataclasses.replace(principal, client_address=client_address(request))
    return principal


def client_address(connection: HTTPConnection) -> str | None:
    """The client's address as the server sees it (behind a proxy the server trusts,
    the address it forwarded)."""
    return connection.client.host if connection.client else None


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]
