"""Abuse limits: sign-in throttling, rate limits on the endpoints anyone may call,
and a rate per credential. Counted with the `limits` package, in Redis when the
broker is Redis (so every process shares the counts), else in this process.
Each refusal is a 429 problem with Retry-After."""

from __future__ import annotations

import hashlib
import logging
import math
import re
import time
from dataclasses import dataclass

import orjson
from fastapi.responses import JSONResponse
from limits import RateLimitItem, parse
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import FixedWindowRateLimiter
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from caseroom.config import Settings
from caseroom.web.client_address import ClientAddress
from caseroom.web.deps import SESSION_COOKIE
from caseroom.web.login_throttle import FailurePolicy, FailureThrottle, Refusal
from caseroom.web.problems import problem

log = logging.getLogger(__name__)

LOGIN_PATH = "/api/v1/auth/login"
_ORG = r"/api/v1/organizations/[^/]+"
_UPLOAD = r"/api/v1/issues/[^/]+/rooms/[^/]+/attachments"


@dataclass(frozen=True, slots=True)
class Rule:
    name: str
    method: str
    path: re.Pattern[str]
    limit: RateLimitItem


def anonymous_rules(settings: Settings) -> tuple[Rule, ...]:
    """Per client address, on what a stranger can call as often as they like."""
    table = (
        ("login", "POST", re.escape(LOGIN_PATH), settings.limit_login_per_address),
        ("conversation-start", "POST", _ORG + "/conversations", settings.limit_conversation_start),
        ("identity-exchange", "POST", _ORG + "/identity", settings.limit_identity_exchange),
        ("widget-config", "GET", _ORG + "/widget", settings.limit_widget_config),
        ("upload", "POST", _UPLOAD, settings.limit_uploads),
        (
            "sms-webhook",
            "POST",
            r"/api/v1/channels/sms/[^/]+/(inbound|status)",
            settings.limit_webhooks,
        ),
    )
    return tuple(Rule(name, m, re.compile(p), parse(limit)) for name, m, p, limit in table)


def limits_storage(settings: Settings) -> Storage:
    url = settings.broker_url
    if url and url.partition("://")[0].lower() in ("redis", "rediss"):
        return RedisStorage(
            "async+" + url, implementation="redispy", key_prefix=settings.broker_prefix + "limits"
        )
    return MemoryStorage()


def _seconds_until(reset_time: float) -> int:
    return max(1, math.ceil(reset_time - time.time()))


def _credential(scope: Scope) -> str | None:
    """A digest of the bearer token or session cookie, never the secret itself."""
    headers = dict(scope["headers"])
    scheme, _, token = headers.get(b"authorization", b"").decode("latin-1").partition(" ")
    secret = token.strip() if scheme.lower() == "bearer" else ""
    if not secret:
        for part in headers.get(b"cookie", b"").decode("latin-1").split(";"):
            name, _, value = part.strip().partition("=")
            if name == SESSION_COOKIE and value:
                secret = value
    return hashlib.sha256(secret.encode()).hexdigest()[:32] if secret else None


class AbuseLimits:
    """ASGI middleware; add it inside BodySizeLimit so that the sign-in body it
    reads is already bounded."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.rules = anonymous_rules(settings)
        self.per_credential = parse(settings.limit_per_token)
        self.websocket_connects = parse(settings.limit_websocket_connects)
        self.addresses = ClientAddress(settings.trusted_proxies)
        storage = limits_storage(settings)
        # Fixed windows that start at a key's first hit: one counter per key, exact
        # within a window (a sliding-window estimate can let one more through).
        self.rates = windows = FixedWindowRateLimiter(storage)
        common = {
            "delay_base_seconds": settings.login_delay_base_seconds,
            "lock_seconds": settings.login_lock_seconds,
            "window_seconds": settings.login_failure_window_seconds,
        }
        self.accounts = FailureThrottle(
            windows,
            FailurePolicy(settings.login_failures_free, settings.login_lock_after, **common),
            "account",
        )
        self.senders = FailureThrottle(
            windows,
            FailurePolicy(
                settings.login_address_failures_free, settings.login_address_lock_after, **common
            ),
            "address",
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            await self._websocket(scope, receive, send)
            return
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        address = self.addresses.of(scope)
        try:
            refused = await self._rate_refusal(scope, address)
        except Exception:
            # The counters are a defence, not a dependency: serve while they are down.
            log.warning("abuse limits unavailable; request let through", exc_info=True)
            refused = None
        if refused is not None:
            await refused(scope, receive, send)
            return
        if scope["method"] == "POST" and scope["path"] == LOGIN_PATH:
            await self._sign_in(scope, receive, send, address)
            return
        await self.app(scope, receive, send)

    async def _websocket(self, scope: Scope, receive: Receive, send: Send) -> None:
        """New websocket connections per client address: a client that reconnects
        in a tight loop is told to wait, with the same problem body as HTTP."""
        address = self.addresses.of(scope)
        try:
            allowed = await self.rates.hit(self.websocket_connects, "websocket", address)
            refused = None
            if not allowed:
                refused = await self._too_many(
                    self.websocket_connects, ("websocket", address), "this address"
                )
        except Exception:
            log.warning("abuse limits unavailable; connection let through", exc_info=True)
            refused = None
        if refused is None:
            await self.app(scope, receive, send)
            return
        await receive()  # websocket.connect
        if "websocket.http.response" not in scope.get("extensions", {}):
            await send({"type": "websocket.close", "code": 1013})  # try again later
            return
        await refused(scope, receive, send)  # Starlette sends it as the denial response

    async def _rate_refusal(self, scope: Scope, address: str) -> JSONResponse | None:
        method, path = scope["method"], scope["path"]
        for rule in self.rules:
            applies = rule.method == method and rule.path.fullmatch(path)
            if applies and not await self.rates.hit(rule.limit, rule.name, address):
                return await self._too_many(rule.limit, (rule.name, address), "this address")
        credential = _credential(scope)
        if credential is not None and not await self.rates.hit(
            self.per_credential, "credential", credential
        ):
            return await self._too_many(self.per_credential, ("credential", credential), "token")
        return None

    async def _too_many(
        self, limit: RateLimitItem, keys: tuple[str, ...], who: str
    ) -> JSONResponse:
        stats = await self.rates.get_window_stats(limit, *keys)
        wait = _seconds_until(stats.reset_time)
        return _refusal_response(
            "rate-limited",
            "Too many requests",
            f"more than {limit.amount} requests per {limit.multiples} {limit.GRANULARITY.name} "
            f"from {who}; try again in {wait} s",
            wait,
        )

    async def _sign_in(self, scope: Scope, receive: Receive, send: Send, address: str) -> None:
        body, more = b"", True
        while more:
            message = await receive()
            body += message.get("body", b"")
            more = message.get("more_body", False)
        account = _account(body)
        try:
            refusal = await self._login_refusal(account, address)
        except Exception:
            log.warning("sign-in throttling unavailable; attempt let through", exc_info=True)
            refusal = None
        if refusal is not None:
            await _login_refused(refusal)(scope, receive, send)
            return

        async def replay() -> Message:
            return {"type": "http.request", "body": body, "more_body": False}

        async def recording_send(message: Message) -> None:
            # Counted before the client hears the answer: a next attempt sent the
            # moment a 401 arrives already meets the delay it earned.
            if message["type"] == "http.response.start":
                try:
                    await self._record(message["status"], account, address)
                except Exception:
                    log.warning("could not record a sign-in outcome", exc_info=True)
            await send(message)

        await self.app(scope, replay, recording_send)

    async def _login_refusal(self, account: str | None, address: str) -> Refusal | None:
        if account is not None and (found := await self.accounts.refusal(account)):
            return found
        return await self.senders.refusal(address)

    async def _record(self, status: int, account: str | None, address: str) -> None:
        if status == 401:
            if account is not None:
                await self.accounts.failed(account)
            await self.senders.failed(address)
        elif 200 <= status < 300 and account is not None:
            await self.accounts.succeeded(account)


def _account(body: bytes) -> str | None:
    """The account a sign-in names, normalized as the sign-in service does."""
    try:
        parsed = orjson.loads(body)
    except orjson.JSONDecodeError:
        return None
    if not isinstance(parsed, dict) or not isinstance(parsed.get("email"), str):
        return None
    organization = parsed.get("organization")
    org = organization if isinstance(organization, str) else ""
    return f"{org.strip().lower()}|{parsed['email'].strip().lower()}"


def _login_refused(refusal: Refusal) -> JSONResponse:
    if refusal.reason == "locked":
        detail = (
            f"sign-in is locked after too many failed attempts; try again in "
            f"{refusal.retry_after} s"
        )
        return _refusal_response("sign-in-locked", "Sign-in locked", detail, refusal.retry_after)
    detail = f"too many failed sign-ins; wait {refusal.retry_after} s before trying again"
    return _refusal_response("sign-in-delayed", "Sign-in delayed", detail, refusal.retry_after)


def _refusal_response(code: str, title: str, detail: str, retry_after: int) -> JSONResponse:
    response = problem(429, code, title, detail, retry_after=retry_after)
    response.headers["Retry-After"] = str(retry_after)
    return response
