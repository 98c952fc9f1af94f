"""`caseroom smtpd` as a process of its own beside `caseroom serve`, on one
PostgreSQL database and one Redis: a Customer's mail reaches the agent's
websocket on the other process, and a mail answered 250 survives the listener
being killed at once."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import smtplib
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from email import policy
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path

import pytest

from caseroom.domain.model import Channel, MessageKind, Room
from caseroom.services.common import utcnow
from caseroom.storage.database import create_engine
from caseroom.storage.uow import Database, UnitOfWork
from tests.builders import Org, key, make_org
from tests.components import free_port
from tests.e2e.servers import GUARD, Server, StreamClient, running, scale_out_env

pytestmark = [pytest.mark.postgres, pytest.mark.redis]


async def _no_events(_events: object) -> None:
    return None


@pytest.fixture
def env(postgres_url: str, tmp_path: Path) -> dict[str, str]:
    return scale_out_env(postgres_url, tmp_path)


@pytest.fixture
def web(env: dict[str, str], tmp_path: Path) -> Iterator[Server]:
    with running([Server(env, tmp_path / "serve.log")]) as (server,):
        yield server


@contextlib.contextmanager
def smtpd(env: dict[str, str], log: Path) -> Iterator[tuple[subprocess.Popen[bytes], int]]:
    port = free_port()
    with log.open("ab") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "caseroom.cli", "smtpd", "--port", str(port)],
            env={**os.environ, **env},
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + GUARD
        while True:
            if process.poll() is not None:
                raise RuntimeError(log.read_text(errors="replace")[-3000:])
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1):
                break
            if time.monotonic() > deadline:
                raise RuntimeError("smtpd did not come up")
            time.sleep(0.05)
        yield process, port
    finally:
        if process.poll() is None:
            process.terminate()
            process.wait(timeout=10)


@pytest.fixture
async def org(postgres_url: str) -> AsyncIterator[tuple[Org, str, Database]]:
    engine = create_engine(postgres_url)
    db = Database(engine, _no_events)
    built = await make_org(db)
    mailbox = f"support@{built.slug}.example"

    async def setup(uow: UnitOfWork) -> None:
        config = {"address": mailbox}
        await uow.channels.put(
            built.org.id, Channel.EMAIL, enabled=True, config=config, secrets={}, now=utcnow()
        )

    await db.run(setup)
    yield built, mailbox, db
    await engine.dispose()


def send(port: int, sender: str, mailbox: str, body: str, references: str = "") -> str:
    mail = EmailMessage()
    mail["From"], mail["To"], mail["Subject"] = sender, mailbox, "Order 4411"
    mail["Message-ID"] = make_msgid(domain="mail.example")
    if references:
        mail["References"] = references
    mail.set_content(body)
    with smtplib.SMTP("127.0.0.1", port, timeout=GUARD) as client:
        client.sendmail(sender, [mailbox], mail.as_bytes(policy=policy.SMTP))
    return str(mail["Message-ID"])


async def bodies_of(db: Database, org: Org, sender: str) -> tuple[str, list[str]]:
    async def work(uow: UnitOfWork) -> tuple[str, list[str]]:
        [customer] = await uow.customers.matching(org.org.id, sender, None, None)
        [issue] = await uow.issues.for_customer(org.org.id, customer.id, None, 5)
        page = await uow.messages.page(
            org.org.id, issue.id, Room.PUBLIC, frozenset({MessageKind.MESSAGE}), after=0
        )
        return issue.id, [m.body for m in page.messages]

    return await db.read(work)


async def test_mail_through_smtpd_reaches_the_agent_on_the_web_process(
    env: dict[str, str], web: Server, org: tuple[Org, str, Database], tmp_path: Path
) -> None:
    built, mailbox, db = org
    sender = f"maria.{key()[:8]}@mail.example"
    with smtpd(env, tmp_path / "smtpd.log") as (process, port):
        first = await asyncio.to_thread(send, port, sender, mailbox, "Where is my order?")
        issue_id, _ = await bodies_of(db, built, sender)
        agent = await StreamClient.connect(web, built.tokens[built.ana.id])
        try:
            await agent.subscribe(issue_id)
            await asyncio.to_thread(send, port, sender, mailbox, "It was due Monday.", first)
            await agent.wait_for_bodies(issue_id, {"It was due Monday."})
        finally:
            await agent.close()

        # Answered 250, then the listener dies at once: the mail is there.
        await asyncio.to_thread(send, port, sender, mailbox, "Any news?", first)
        process.send_signal(signal.SIGKILL)
        process.wait()
    assert (await bodies_of(db, built, sender))[1] == [
        "Where is my order?",
        "It was due Monday.",
        "Any news?",
    ]
