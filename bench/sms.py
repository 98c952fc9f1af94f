"""SMS inbound webhooks: how many signed texts per second one process accepts, and
the time from the provider's POST to the message on an agent's websocket.

The baseline, measured in the same run against the same server and Issue, is
the agent's own REST sends to the private room at the same concurrency: the
ratio says what the webhook path (form parsing, the signature check, the
Customer match, the inbound entry point) costs over a plain send."""

from __future__ import annotations

import asyncio
import json
import secrets
import time
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import websockets
from twilio.request_validator import RequestValidator

from caseroom.domain.events import Event
from caseroom.domain.model import Channel
from caseroom.services import auth, organizations
from caseroom.services.common import utcnow
from caseroom.storage.database import create_engine
from caseroom.storage.migrate import upgrade_async
from caseroom.storage.secrets import SecretBox
from caseroom.storage.uow import Database, UnitOfWork

ACCOUNT_SID = "AC" + "b" * 32
AUTH_TOKEN = "bench-auth-token"
NUMBER = "+14155550000"
SENDER = "+14155550111"
SLUG = "bench-sms"


async def _nowhere(_events: list[Event]) -> None:
    """Seeding happens before the server runs."""


async def seed(url: str, secret_key: str) -> str:
    """An organization with an SMS number and one agent; returns the agent's token."""
    await upgrade_async(url)
    engine = create_engine(url)
    db = Database(engine, _nowhere, secret_box=SecretBox([secret_key]))

    async def work(uow: UnitOfWork) -> str:
        org = await organizations.create_organization(uow, SLUG, "Bench SMS")
        agent = await organizations.add_agent(
            uow, org, email=f"agent@{SLUG}.example", name="Agent", password=None
        )
        await organizations.add_team(uow, org, "Support", members=[agent])
        await uow.channels.put(
            org.id,
            Channel.SMS,
            enabled=True,
            config={"account_sid": ACCOUNT_SID, "from_number": NUMBER, "default_region": "US"},
            secrets={"auth_token": AUTH_TOKEN},
            now=utcnow(),
        )
        issued = await auth.issue_token(
            uow, org_id=org.id, kind=auth.API, subject_id=agent.id, now=auth.utcnow(), ttl=None
        )
        return issued.token

    try:
        return await db.run(work)
    finally:
        await engine.dispose()


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000


class _Watcher:
    """An agent's websocket on the Issue's rooms: when each body arrived."""

    def __init__(self) -> None:
        self.arrived: dict[str, float] = {}
        self.changed = asyncio.Event()

    async def run(self, ws: Any) -> None:
        async for raw in ws:
            frame = json.loads(raw)
            if frame.get("type") == "message.created":
                self.arrived[frame["payload"]["message"]["body"]] = time.perf_counter()
                self.changed.set()

    async def wait_for(self, bodies: set[str], guard: float) -> None:
        async def wait() -> None:
            while not bodies <= self.arrived.keys():
                self.changed.clear()
                await self.changed.wait()

        await asyncio.wait_for(wait(), guard)


async def _burst(
    count: int, concurrency: int, post: Callable[[int], Awaitable[None]]
) -> tuple[float, dict[int, float]]:
    gate = asyncio.Semaphore(concurrency)
    sent: dict[int, float] = {}

    async def one(i: int) -> None:
        async with gate:
            sent[i] = time.perf_counter()
            await post(i)

    started = time.perf_counter()
    await asyncio.gather(*(one(i) for i in range(count)))
    return time.perf_counter() - started, sent


async def measure(
    http_url: str,
    ws_url: str,
    token: str,
    count: int,
    concurrency: int,
    server_cpu: Callable[[], float],
) -> dict[str, Any]:
    """Each burst's rate, latency to the agent's socket, and the server's CPU per
    message (`server_cpu`: the server process's CPU seconds so far)."""
    inbound = f"{http_url}/api/v1/channels/sms/{SLUG}/inbound"
    validator = RequestValidator(AUTH_TOKEN)
    headers = {"Authorization": f"Bearer {token}"}
    limits = httpx.Limits(max_connections=concurrency)
    async with httpx.AsyncClient(timeout=60, limits=limits) as http:

        async def text(body: str) -> None:
            sid = "SM" + secrets.token_hex(16)
            form = {"MessageSid": sid, "AccountSid": ACCOUNT_SID, "From": SENDER}
            form.update({"To": NUMBER, "Body": body, "NumMedia": "0"})
            signature = validator.compute_signature(inbound, form)
            answer = await http.post(inbound, data=form, headers={"X-Twilio-Signature": signature})
            answer.raise_for_status()

        await text("opening text")
        queue = await http.get(
            f"{http_url}/api/v1/issues", params={"queue": "unclaimed"}, headers=headers
        )
        (issue,) = queue.json()["items"]
        watcher = _Watcher()
        async with websockets.connect(ws_url) as ws:
            await ws.send(json.dumps({"type": "hello", "token": token}))
            json.loads(await ws.recv())
            for room in ("public", "private"):
                subscribe = {"type": "subscribe", "issue_id": issue["id"], "room": room}
                await ws.send(json.dumps({**subscribe, "after": None}))
            reader = asyncio.create_task(watcher.run(ws))

            async def webhook(i: int) -> None:
                await text(f"sms {i}")

            async def rest(i: int) -> None:
                answer = await http.post(
                    f"{http_url}/api/v1/issues/{issue['id']}/rooms/private/messages",
                    json={"body": f"rest {i}", "idempotency_key": secrets.token_hex(12)},
                    headers=headers,
                )
                answer.raise_for_status()

            figures: dict[str, Any] = {"count": count, "concurrency": concurrency}
            for name, post in (("rest", rest), ("webhook", webhook)):
                prefix = "sms" if name == "webhook" else "rest"
                cpu_before = server_cpu()
                elapsed, sent = await _burst(count, concurrency, post)
                await watcher.wait_for({f"{prefix} {i}" for i in range(count)}, 120)
                cpu_ms = (server_cpu() - cpu_before) / count * 1000
                latency = [watcher.arrived[f"{prefix} {i}"] - sent[i] for i in range(count)]
                figures[name] = {
                    "per_s": count / elapsed,
                    "p50_ms": _percentile(latency, 0.50),
                    "p99_ms": _percentile(latency, 0.99),
                    "server_cpu_ms_per_msg": cpu_ms,
                }
            reader.cancel()
    figures["ratio_per_s"] = figures["webhook"]["per_s"] / figures["rest"]["per_s"]
    figures["ratio_p99"] = figures["webhook"]["p99_ms"] / figures["rest"]["p99_ms"]
    return figures
