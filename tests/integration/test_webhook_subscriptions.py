"""Outgoing webhooks for integrators: every event type is delivered once per
subscription, signed, in order per Issue; a delivery is a job, so one that failed
before a restart is delivered after it; admins read the log and send again."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from standardwebhooks.webhooks import Webhook

from caseroom.app import create_app
from caseroom.config import Settings
from caseroom.storage import tables as t
from caseroom.storage.uow import Database, UnitOfWork
from tests.bot_server import BotServer, bot_server, status
from tests.builders import Org, make_org, open_database, send, settle, start_chat

EVENTS = ["issue.created", "issue.claimed", "issue.resolved", "message.created", "transcript.filed"]


@pytest.fixture
def settings(sqlite_url: str, tmp_path: Path) -> Settings:
    return Settings(
        database_url=sqlite_url,
        data_dir=tmp_path / "data",
        limits_enabled=False,
        webhook_allow_private_urls=True,
        job_retry_base_seconds=0.0,
        webhook_max_attempts=2,
    )


@pytest.fixture
async def db(sqlite_url: str) -> AsyncIterator[Database]:
    async with open_database(sqlite_url) as opened:
        yield opened


@pytest.fixture
async def receiver() -> AsyncIterator[BotServer]:
    async with bot_server() as server:
        yield server


async def subscribe(client: httpx.AsyncClient, org: Org, url: str) -> dict[str, Any]:
    made = await client.post(
        "/api/v1/admin/webhooks", json={"url": url, "events": EVENTS}, headers=org.auth(org.admin)
    )
    assert made.status_code == 201, made.text
    data: dict[str, Any] = made.json()
    return data


async def test_every_event_type_arrives_once_signed_and_in_order(
    client: httpx.AsyncClient, db: Database, receiver: BotServer
) -> None:
    org = await make_org(db)
    secret = (await subscribe(client, org, receiver.url))["secret"]
    refused = await client.post(
        "/api/v1/admin/webhooks", json={"url": receiver.url, "events": ["issue.deleted"]},
        headers=org.auth(org.admin),
    )  # fmt: skip
    assert refused.status_code == 422
    ana = org.auth(org.ana)
    chat = await start_chat(client, org, message="Hi there")
    await client.post(f"/api/v1/issues/{chat.issue_id}/claim", headers=ana)
    await send(client, ana, chat.issue_id, "public", "Hello, how can I help?")
    await send(client, ana, chat.issue_id, "private", "internal only")
    await client.post(f"/api/v1/issues/{chat.issue_id}/resolve", headers=ana)
    await settle(client)

    got = [Webhook(secret).verify(r.body, r.headers) for r in receiver.received]
    assert [g["type"] for g in got] == [
        "issue.created",
        "message.created",
        "issue.claimed",
        "message.created",
        "issue.resolved",
        "transcript.filed",
    ]
    assert len({r.headers["webhook-id"] for r in receiver.received}) == 6
    bodies = [
        g["data"]["payload"]["message"]["body"] for g in got if g["type"] == "message.created"
    ]
    assert bodies == ["Hi there", "Hello, how can I help?"]
    assert "internal only" not in str(got)

    log = await client.get("/api/v1/admin/webhook-deliveries", headers=org.auth(org.admin))
    assert [d["state"] for d in log.json()] == ["delivered"] * 6
    again = await client.post(
        f"/api/v1/admin/webhook-deliveries/{log.json()[-1]['id']}/send-again",
        headers=org.auth(org.admin),
    )
    assert again.status_code == 200 and again.json()["state"] == "queued"
    await settle(client)
    assert receiver.received[-1].headers["webhook-id"] == log.json()[-1]["id"]
    assert len(receiver.received) == 7
    peek = await client.get("/api/v1/admin/webhook-deliveries", headers=ana)
    assert peek.status_code == 403


async def test_a_delivery_that_failed_before_a_restart_is_delivered_after_it(
    settings: Settings, db: Database, receiver: BotServer
) -> None:
    org = await make_org(db)
    patient = settings.model_copy(
        update={"webhook_max_attempts": 5, "job_retry_base_seconds": 3600.0}
    )
    receiver.answer(status(503), lambda _: None)
    for attempt in ("before", "after"):
        app = create_app(patient)
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
                client.app = app  # type: ignore[attr-defined]
                if attempt == "before":
                    await subscribe(client, org, receiver.url)
                    chat = await start_chat(client, org, message="Hello")
                    await settle(client)
                    # The creation got a 503; its message waits behind it (in order).
                    assert [r.json["type"] for r in receiver.received] == ["issue.created"]
                    receiver.answer(lambda _: None)
                else:
                    await _backoff_elapsed(db)
                    await settle(client)
    kinds = [r.json["type"] for r in receiver.received]
    assert kinds == ["issue.created", "issue.created", "message.created"]
    ids = [r.headers["webhook-id"] for r in receiver.received]
    assert ids[0] == ids[1]  # the same delivery, tried again after the restart
    assert chat.issue_id in str(receiver.received[-1].json)


async def _backoff_elapsed(db: Database) -> None:
    """The clock moves past the retry's backoff (rather than waiting an hour)."""

    async def work(uow: UnitOfWork) -> None:
        await uow.connection.execute(
            sa.update(t.jobs)
            .where(t.jobs.c.kind == "webhook.deliver", t.jobs.c.state == "pending")
            .values(run_after=datetime.now(UTC))
        )

    await db.run(work)
