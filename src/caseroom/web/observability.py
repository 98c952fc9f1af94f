"""What an operator watches: a request id on every log line, Prometheus metrics,
and the /healthz (alive) and /readyz (able to serve) probes."""

from __future__ import annotations

import asyncio
import re
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import structlog
from fastapi import FastAPI
from fastapi.responses import JSONResponse, Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client.core import CounterMetricFamily
from prometheus_client.registry import Collector
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from caseroom.config import Settings
from caseroom.domain.events import Event
from caseroom.realtime.broker import Broker
from caseroom.storage import health
from caseroom.storage.uow import Database
from caseroom.web.client_address import ClientAddress
from caseroom.web.problems import problem

REQUEST_ID_HEADER = "x-request-id"
_SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
_UNMATCHED = "<unmatched>"
log = structlog.get_logger("caseroom.request")

Publish = Callable[[list[Event]], Awaitable[None]]


class _BrokerReconnects(Collector):
    def __init__(self, broker: Broker) -> None:
        self._broker = broker

    def collect(self) -> Iterator[CounterMetricFamily]:
        family = CounterMetricFamily(
            "caseroom_broker_reconnects", "Broker subscriptions re-established after a drop"
        )
        family.add_metric([], getattr(self._broker, "reconnects", 0))
        yield family


class Metrics:
    """One registry per app, so that several apps in one process (tests) keep
    separate counts."""

    def __init__(self, broker: Broker) -> None:
        self.registry = registry = CollectorRegistry()
        self.requests = Counter(
            "caseroom_http_requests",
            "HTTP requests answered, by route template and status",
            ["method", "route", "status"],
            registry=registry,
        )
        self.latency = Histogram(
            "caseroom_http_request_duration_seconds",
            "Time to answer an HTTP request",
            ["method", "route"],
            registry=registry,
        )
        self.websockets = Gauge(
            "caseroom_websocket_sessions", "Websocket sessions open now", registry=registry
        )
        self.websockets_total = Counter(
            "caseroom_websocket_sessions_accepted", "Websocket sessions accepted", registry=registry
        )
        self.messages = Counter(
            "caseroom_messages_stored", "Messages committed to the database", registry=registry
        )
        self.jobs = Gauge(
            "caseroom_jobs",
            "Background jobs by state: pending (due or scheduled), retrying (pending after "
            "a failure), failed (gave up)",
            ["state"],
            registry=registry,
        )
        self.group_sizes = Histogram(
            "caseroom_group_commit_size",
            "Sends stored together in one transaction",
            buckets=(1, 2, 4, 8, 16, 32, 64, 128),
            registry=registry,
        )
        registry.register(_BrokerReconnects(broker))

    def counting(self, publish: Publish) -> Publish:
        """Wrap the publisher that the database calls after each commit."""

        async def counted(events: list[Event]) -> None:
            stored = sum(1 for event in events if event.type == "message.created")
            if stored:
                self.messages.inc(stored)
            await publish(events)

        return counted

    async def refresh(self, db: Database) -> None:
        counts = await db.read(lambda uow: health.jobs_by_state(uow.connection))
        for state, count in counts.items():
            self.jobs.labels(state).set(count)


def _route_of(app: FastAPI, scope: Scope) -> str:
    route = scope.get("route")
    if route is not None and hasattr(route, "path"):
        return str(route.path)
    # Refused before routing (a limit, a too-large body) or not found: match here,
    # and never label by the raw path (unbounded label values).
    for candidate in app.router.routes:
        matched, _ = candidate.matches(scope)
        if matched is Match.FULL:
            return str(getattr(candidate, "path", _UNMATCHED))
    return _UNMATCHED


class RequestObserver:
    """Gives each request and websocket session an id (the caller's X-Request-ID
    if it looks like one), binds it to every log line written meanwhile, returns
    it in the response, and counts and logs the outcome."""

    def __init__(
        self, app: ASGIApp, *, fastapi: FastAPI, metrics: Metrics, settings: Settings
    ) -> None:
        self.app = app
        self.fastapi = fastapi
        self.metrics = metrics
        self.addresses = ClientAddress(settings.trusted_proxies)
        self.access_log = settings.access_log

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        given = dict(scope["headers"]).get(REQUEST_ID_HEADER.encode(), b"").decode("latin-1")
        request_id = given if _SANE_REQUEST_ID.fullmatch(given) else uuid.uuid4().hex
        with structlog.contextvars.bound_contextvars(request_id=request_id):
            if scope["type"] == "http":
                await self._http(scope, receive, send, request_id)
            else:
                await self._websocket(scope, receive, send)

    async def _http(self, scope: Scope, receive: Receive, send: Send, request_id: str) -> None:
        started = time.perf_counter()
        status = 500

        async def observed_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = list(message.get("headers", []))
                headers.append((REQUEST_ID_HEADER.encode(), request_id.encode()))
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, observed_send)
        finally:
            elapsed = time.perf_counter() - started
            route = _route_of(self.fastapi, scope)
            method = scope["method"]
            self.metrics.requests.labels(method, route, str(status)).inc()
            self.metrics.latency.labels(method, route).observe(elapsed)
            if self.access_log:
                log.info(
                    "request",
                    method=method,
                    path=scope["path"],
                    route=route,
                    status=status,
                    duration_ms=round(elapsed * 1000, 2),
                    client=self.addresses.of(scope),
                )

    async def _websocket(self, scope: Scope, receive: Receive, send: Send) -> None:
        accepted = False

        async def observed_send(message: Message) -> None:
            nonlocal accepted
            if message["type"] == "websocket.accept" and not accepted:
                accepted = True
                self.metrics.websockets.inc()
                self.metrics.websockets_total.inc()
            await send(message)

        try:
            await self.app(scope, receive, observed_send)
        finally:
            if accepted:
                self.metrics.websockets.dec()


class Readiness:
    """Ready means: the database answers and is at the code's migration head, and
    the broker (Redis, when configured) answers."""

    def __init__(self, settings: Settings, db: Database) -> None:
        self.settings = settings
        self.db = db
        self._heads: frozenset[str] | None = None  # read on first use: not at startup

    @property
    def heads(self) -> frozenset[str]:
        if self._heads is None:
            self._heads = health.head_revisions()
        return self._heads

    async def check(self) -> dict[str, str]:
        timeout = self.settings.readiness_timeout_seconds
        checks = {"database": self._database(), "broker": self._broker()}
        results = {}
        for name, check in checks.items():
            try:
                results[name] = await asyncio.wait_for(check, timeout)
            except TimeoutError:
                results[name] = f"no answer within {timeout} s"
            except Exception as exc:
                results[name] = f"unavailable: {type(exc).__name__}"
        return results

    async def _database(self) -> str:
        found = await self.db.read(lambda uow: health.schema_revisions(uow.connection))
        if found != self.heads:
            return (
                f"schema at {sorted(found) or 'nothing'}, code expects {sorted(self.heads)}: "
                "run `caseroom migrate`"
            )
        return "ok"

    async def _broker(self) -> str:
        url = self.settings.broker_url
        if url is None or url == "memory://":
            return "ok"
        from redis.asyncio import Redis

        client = Redis.from_url(url, socket_connect_timeout=self.settings.readiness_timeout_seconds)
        try:
            await client.ping()
        finally:
            await client.aclose()
        return "ok"


def install_observability(app: FastAPI, settings: Settings, db: Database, metrics: Metrics) -> None:
    """The probes and /metrics, and the middleware (add it last: outermost, so
    that refusals by other middleware are logged and counted too)."""
    readiness = Readiness(settings, db)

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> dict[str, str]:
        """Alive: the process answers. Deliberately touches nothing else."""
        return {"status": "ok"}

    @app.get("/readyz", include_in_schema=False, response_model=None)
    async def readyz() -> dict[str, Any] | JSONResponse:
        checks = await readiness.check()
        if all(result == "ok" for result in checks.values()):
            return {"status": "ok", "checks": checks}
        failed = ", ".join(f"{name}: {result}" for name, result in checks.items() if result != "ok")
        return problem(503, "not-ready", "Not ready", failed, checks=checks)

    if settings.metrics_enabled:

        @app.get("/metrics", include_in_schema=False)
        async def prometheus_metrics() -> Response:
            await metrics.refresh(db)
            return Response(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)

    app.add_middleware(RequestObserver, fastapi=app, metrics=metrics, settings=settings)
