"""Inbound mail: Customers' replies sent over SMTP (aiosmtplib, several sessions
at once) into `caseroom serve`'s listener, each to its Issue's reply address.
Measured: mails parsed and stored per second, and the latency from the start
of the SMTP transaction to the message arriving on the agent's websocket."""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections.abc import Callable
from datetime import timedelta
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Any

import aiosmtplib
import websockets

from bench.driver import dumps, loads
from bench.seed import _nowhere, _staff
from caseroom.channels.email.mailboxes import reply_token_secret
from caseroom.channels.email.threading import make_reply_token, reply_address
from caseroom.domain.model import Channel
from caseroom.services import conversations
from caseroom.services.common import utcnow
from caseroom.storage.database import create_engine
from caseroom.storage.migrate import upgrade_async
from caseroom.storage.uow import Database, UnitOfWork

SUBSCRIBED = 50  # Issues the agent's socket follows (the mails go to these)


async def seed_mailbox(url: str, issues: int, installation_key: str) -> dict[str, Any]:
    """An organization with a mailbox and `issues` conversations; per Issue the
    Customer's address and the reply address of its mail."""
    await upgrade_async(url)
    engine = create_engine(url)
    db = Database(engine, _nowhere)
    slug = f"mail-{uuid.uuid4().hex[:8]}"
    staff = await _staff(db, slug, 1)
    mailbox = f"support@{slug}.example"

    async def setup(uow: UnitOfWork) -> None:
        await uow.channels.put(
            staff.org.id,
            Channel.EMAIL,
            enabled=True,
            config={"address": mailbox},
            secrets={},
            now=utcnow(),
        )

    await db.run(setup)
    secret = reply_token_secret(staff.org.id, {}, installation_key)
    members = []
    for i in range(issues):
        email = f"c{i}@{slug}.example"

        async def start(uow: UnitOfWork, email: str = email) -> conversations.Started:
            return await conversations.start_conversation(
                uow,
                slug,
                conversations.Contact(name="Customer", email=email),
                subject=None,
                message="Hello, I need help with my order.",
                idempotency_key=None,
                token_ttl=timedelta(days=1),
                max_chars=20_000,
            )

        started = await db.run(start)
        token = make_reply_token(secret, staff.org.id, started.issue.id)
        members.append(
            {"issue_id": started.issue.id, "from": email, "to": reply_address(mailbox, token)}
        )
    await engine.dispose()
    return {"agent": staff.tokens[0], "members": members}


def _mail(member: dict[str, str], marker: str, body_bytes: int) -> EmailMessage:
    mail = EmailMessage()
    mail["From"] = f"Customer <{member['from']}>"
    mail["To"] = member["to"]
    mail["Subject"] = "Re: my order"
    mail["Message-ID"] = make_msgid(domain="bench.example")
    mail.set_content(f"{marker} " + "x" * body_bytes + "\n\nOn Monday, Support wrote:\n> Hi\n")
    mail.add_alternative(f"<p>{marker} {'x' * body_bytes}</p>", subtype="html")
    return mail


async def measure(
    ws_url: str,
    smtp_port: int,
    seeded: dict[str, Any],
    count: int,
    sessions: int,
    server_cpu: Callable[[], float],
) -> dict[str, Any]:
    """Mails sent over SMTP: the rate they are stored at, latency from DATA to
    the agent's socket, and the server's CPU per mail (`server_cpu`: the server
    process's CPU seconds so far)."""
    members = seeded["members"][:SUBSCRIBED]
    arrived: dict[str, float] = {}
    async with websockets.connect(ws_url, max_size=None, open_timeout=60) as ws:
        await ws.send(dumps({"type": "hello", "token": seeded["agent"]}))
        await _until(ws, "ready")
        for member in members:
            frame = {"type": "subscribe", "issue_id": member["issue_id"], "room": "public"}
            await ws.send(dumps(frame))
            await _until(ws, "subscribed")
        done = asyncio.Event()

        async def read() -> None:
            async for raw in ws:
                frame = loads(raw)
                if frame["type"] == "message.created":
                    body = frame["payload"]["message"]["body"]
                    arrived.setdefault(body.split(" ", 1)[0], time.perf_counter())
                    if len(arrived) >= count:
                        done.set()

        reader = asyncio.create_task(read())
        started: dict[str, float] = {}
        queue: asyncio.Queue[int] = asyncio.Queue()
        for n in range(count):
            queue.put_nowait(n)
        errors = 0

        async def session() -> None:
            nonlocal errors
            client = aiosmtplib.SMTP(hostname="127.0.0.1", port=smtp_port, timeout=60)
            await client.connect()
            try:
                while not queue.empty():
                    n = queue.get_nowait()
                    marker = f"mail{n}"
                    mail = _mail(members[n % len(members)], marker, 200)
                    started[marker] = time.perf_counter()
                    try:
                        await client.send_message(mail)
                    except aiosmtplib.SMTPException:
                        errors += 1
            finally:
                await client.quit()

        began, cpu_before = time.perf_counter(), server_cpu()
        await asyncio.gather(*(session() for _ in range(sessions)))
        stored_in = time.perf_counter() - began
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(done.wait(), 30)
        cpu_ms = (server_cpu() - cpu_before) / count * 1000
        reader.cancel()
    latencies = sorted(arrived[m] - started[m] for m in started if m in arrived)
    return {
        "mails": count,
        "sessions": sessions,
        "errors": errors,
        "received_on_websocket": len(latencies),
        "stored_per_s": count / stored_in,
        "server_cpu_ms_per_msg": cpu_ms,
        "p50_ms": _percentile(latencies, 0.5) * 1000,
        "p99_ms": _percentile(latencies, 0.99) * 1000,
    }


def _percentile(ordered: list[float], fraction: float) -> float:
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))]


async def _until(ws: Any, frame_type: str) -> dict[str, Any]:
    while True:
        frame: dict[str, Any] = loads(await asyncio.wait_for(ws.recv(), 60))
        if frame["type"] == frame_type:
            return frame
