"""Messages that leave through a channel: an agent's public reply by SMS becomes
exactly one delivery (retried or grouped sends included), handed to the provider
once even when the job is run again after the provider took it, and its state
is read with the message. Runs over the in-process provider of the outbound
port; each real channel runs the same path with its adapter."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from caseroom.app import create_app
from caseroom.channels.base import DeliveryError
from caseroom.channels.testing import InProcessProvider
from caseroom.config import Settings
from caseroom.domain.model import Attachment, Channel
from caseroom.services.common import utcnow
from caseroom.storage import tables as t
from caseroom.storage.uow import Database, UnitOfWork
from tests.builders import Org, key, make_org, send, settle, upload

PHONE = "+14155550123"


@pytest.fixture
def provider() -> InProcessProvider:
    return InProcessProvider(Channel.SMS)


@pytest.fixture
async def sms_client(
    settings: Settings, provider: InProcessProvider
) -> AsyncIterator[httpx.AsyncClient]:
    quick = settings.model_copy(update={"job_retry_base_seconds": 0.0})
    app = create_app(quick, outbounds={Channel.SMS: provider})
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            http.app = app  # type: ignore[attr-defined]
            yield http


async def set_up_sms(client: httpx.AsyncClient, org: Org) -> dict[str, Any]:
    response = await client.put(
        "/api/v1/settings/channels/sms",
        json={"config": {"from_number": "+14155550000"}, "secrets": {"auth_token": "tok-secret"}},
        headers=org.auth(org.admin),
    )
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()
    return data


async def texting_customer(client: httpx.AsyncClient, org: Org, phone: str | None = PHONE) -> str:
    fields = {"name": "Sam Texter", "message": "Is my order shipped?"}
    fields.update({"phone": phone} if phone else {"email": f"{key()[:8]}@customer.example"})
    response = await client.post(f"/api/v1/organizations/{org.slug}/conversations", json=fields)
    assert response.status_code == 201, response.text
    issue_id: str = response.json()["issue"]["id"]
    return issue_id


async def by_sms(
    client: httpx.AsyncClient, org: Org, issue_id: str, body: str, idem: str | None = None
) -> httpx.Response:
    return await client.post(
        f"/api/v1/issues/{issue_id}/rooms/public/messages",
        json={"body": body, "channel": "sms", "idempotency_key": idem or key()},
        headers=org.auth(org.ana),
    )


async def deliveries(db: Database, issue_id: str) -> list[Any]:
    async def work(uow: UnitOfWork) -> list[Any]:
        query = sa.select(t.deliveries).where(t.deliveries.c.issue_id == issue_id)
        return list((await uow.connection.execute(query)).all())

    return await db.read(work)


async def test_channel_secrets_are_write_only(sms_client: httpx.AsyncClient, db: Database) -> None:
    org = await make_org(db)
    set_up = await set_up_sms(sms_client, org)
    assert set_up["secrets_set"] == ["auth_token"] and "tok-secret" not in str(set_up)
    listed = await sms_client.get("/api/v1/settings/channels", headers=org.auth(org.admin))
    assert "tok-secret" not in listed.text and listed.json()[0]["config"]["from_number"]

    async def stored(uow: UnitOfWork) -> str:
        query = sa.select(t.channel_settings.c.secrets)
        return str((await uow.connection.execute(query)).scalars().all())

    assert "tok-secret" not in await db.read(stored)  # encrypted at rest
    refused = await sms_client.put(
        "/api/v1/settings/channels/sms",
        json={"config": {"form_number": "+1"}},
        headers=org.auth(org.admin),
    )
    assert refused.status_code == 422 and refused.json()["field"] == "config.form_number"
    as_agent = await sms_client.get("/api/v1/settings/channels", headers=org.auth(org.ana))
    assert as_agent.status_code == 403


async def test_a_reply_by_sms_is_delivered_once_even_when_retried_or_grouped(
    sms_client: httpx.AsyncClient, db: Database, provider: InProcessProvider
) -> None:
    org = await make_org(db)
    await set_up_sms(sms_client, org)
    issue_id = await texting_customer(sms_client, org)
    offered = await sms_client.get(f"/api/v1/issues/{issue_id}/channels", headers=org.auth(org.ana))
    options = {o["channel"]: o for o in offered.json()["channels"]}
    assert options["sms"]["enabled"] and not options["email"]["enabled"]
    assert offered.json()["default"] == "chat"  # the Customer wrote through the web chat

    idem = key()
    first = await by_sms(sms_client, org, issue_id, "Yes, it left today.", idem)
    again = await by_sms(sms_client, org, issue_id, "Yes, it left today.", idem)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["channel"] == "sms" and again.json()["id"] == first.json()["id"]
    grouped = await asyncio.gather(
        *(by_sms(sms_client, org, issue_id, f"Tracking part {n}") for n in range(5))
    )
    assert all(r.status_code == 201 for r in grouped)
    await settle(sms_client)

    rows = await deliveries(db, issue_id)
    assert len(rows) == 6 and {r.state for r in rows} == {"sent"}
    assert {r.recipient for r in rows} == {PHONE}
    assert sorted(m.body for m in provider.delivered) == sorted(
        ["Yes, it left today.", *(f"Tracking part {n}" for n in range(5))]
    )
    page = await sms_client.get(
        f"/api/v1/issues/{issue_id}/rooms/public/messages", headers=org.auth(org.ana)
    )
    sent = next(m for m in page.json()["items"] if m["id"] == first.json()["id"])
    assert [(d["channel"], d["state"]) for d in sent["deliveries"]] == [("sms", "sent")]
    assert sent["deliveries"][0]["provider_id"].startswith("test-")


async def test_a_job_run_again_after_the_provider_took_the_message_sends_nothing(
    sms_client: httpx.AsyncClient, db: Database, provider: InProcessProvider
) -> None:
    org = await make_org(db)
    await set_up_sms(sms_client, org)
    issue_id = await texting_customer(sms_client, org)
    assert (await by_sms(sms_client, org, issue_id, "On its way")).status_code == 201
    await settle(sms_client)
    assert provider.attempts == 1

    # The state a crash leaves when the provider's answer was recorded but the
    # job's completion never committed: the job is due again.
    async def undo_completion(uow: UnitOfWork) -> None:
        await uow.connection.execute(
            sa.update(t.jobs)
            .where(t.jobs.c.kind == "deliver", t.jobs.c.org_id == org.org.id)
            .values(state="pending", locked_until=None, finished_at=None)
        )

    await db.run(undo_completion)
    await settle(sms_client)
    assert provider.attempts == 1 and len(provider.delivered) == 1


async def test_refusals_fail_with_the_providers_reason_and_outages_are_retried(
    sms_client: httpx.AsyncClient,
    db: Database,
    provider: InProcessProvider,
    caplog: pytest.LogCaptureFixture,
) -> None:
    org = await make_org(db)
    await set_up_sms(sms_client, org)
    issue_id = await texting_customer(sms_client, org)
    provider.fail_next(DeliveryError("the number is not a mobile", permanent=True, code="21614"))
    refused = await by_sms(sms_client, org, issue_id, "Hello?")
    await settle(sms_client)
    provider.fail_next(DeliveryError("gateway timeout", permanent=False), times=2)
    retried = await by_sms(sms_client, org, issue_id, "Hello again")
    with caplog.at_level(logging.INFO, logger="caseroom.jobs.worker"):
        for _ in range(3):
            await settle(sms_client)
    # An outage is expected: one warning line per attempt, no stack trace.
    outages = [r for r in caplog.records if "gateway timeout" in r.getMessage()]
    assert len(outages) == 2
    assert all(r.levelno == logging.WARNING and r.exc_info is None for r in outages)

    page = await sms_client.get(
        f"/api/v1/issues/{issue_id}/rooms/public/messages", headers=org.auth(org.ana)
    )
    by_id = {m["id"]: m["deliveries"] for m in page.json()["items"]}
    (failed,) = by_id[refused.json()["id"]]
    assert (failed["state"], failed["error_code"]) == ("failed", "21614")
    assert failed["error"] == "the number is not a mobile"
    (delivered,) = by_id[retried.json()["id"]]
    assert delivered["state"] == "sent"
    assert [m.body for m in provider.delivered] == ["Hello again"]

    # The agent sends the refused one again; a delivered one cannot be.
    again = await sms_client.post(
        f"/api/v1/deliveries/{failed['id']}/retry", headers=org.auth(org.ana)
    )
    assert again.status_code == 200 and again.json()["state"] == "queued"
    await settle(sms_client)
    assert [m.body for m in provider.delivered] == ["Hello again", "Hello?"]
    twice = await sms_client.post(
        f"/api/v1/deliveries/{delivered['id']}/retry", headers=org.auth(org.ana)
    )
    assert twice.status_code == 409
    other_org = await make_org(db)
    hidden = await sms_client.post(
        f"/api/v1/deliveries/{failed['id']}/retry", headers=other_org.auth(other_org.ana)
    )
    assert hidden.status_code == 404


async def test_channels_refuse_what_cannot_reach_the_customer_and_notes_never_leave(
    sms_client: httpx.AsyncClient, db: Database, provider: InProcessProvider
) -> None:
    org = await make_org(db)
    emailer = await texting_customer(sms_client, org, phone=None)
    not_set_up = await by_sms(sms_client, org, emailer, "hi")
    assert not_set_up.status_code == 422
    assert "not set up" in not_set_up.json()["detail"] and not_set_up.json()["field"] == "channel"
    await set_up_sms(sms_client, org)
    no_phone = await by_sms(sms_client, org, emailer, "hi")
    assert no_phone.status_code == 422 and "no phone number" in no_phone.json()["detail"]

    texter = await texting_customer(sms_client, org)
    for room, kind in (("public", "note"), ("private", "message")):
        refused = await sms_client.post(
            f"/api/v1/issues/{texter}/rooms/{room}/messages",
            json={"body": "internal", "kind": kind, "channel": "sms", "idempotency_key": key()},
            headers=org.auth(org.ana),
        )
        assert refused.status_code == 422, refused.text
    note = await send(sms_client, org.auth(org.ana), texter, kind="note", body="internal")
    assert note.status_code == 201 and note.json()["channel"] == "chat"
    await settle(sms_client)
    assert provider.delivered == [] and await deliveries(db, texter) == []


async def test_files_go_by_sms_as_signed_links_that_open_only_that_file(
    sms_client: httpx.AsyncClient, db: Database, provider: InProcessProvider, settings: Settings
) -> None:
    org = await make_org(db)
    await set_up_sms(sms_client, org)
    issue_id = await texting_customer(sms_client, org)
    label = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    sent = await upload(
        sms_client,
        org.auth(org.ana),
        issue_id,
        [("label.png", label), ("notes.txt", b"fragile")],
        body="Your return label",
        channel="sms",
    )
    assert sent.status_code == 201, sent.text
    await settle(sms_client)

    (text,) = provider.delivered
    assert text.body == "Your return label" and len(text.file_links) == 2
    prefix = f"{settings.public_url}/f/"
    assert all(link.startswith(prefix) for link in text.file_links)
    opened = await sms_client.get(text.file_links[0].removeprefix(settings.public_url))
    assert opened.status_code == 200 and opened.content == label
    assert opened.headers["content-type"] == "image/png"
    assert opened.headers["x-content-type-options"] == "nosniff"
    second = await sms_client.get(text.file_links[1].removeprefix(settings.public_url))
    assert second.content == b"fragile"

    token = text.file_links[0].removeprefix(prefix)
    forged = await sms_client.get(f"/f/{token[:-2]}xx")
    assert forged.status_code == 404
    assert forged.headers["content-type"] == "application/problem+json"
    assert label not in forged.content


async def test_an_expired_file_link_says_so(
    settings: Settings, provider: InProcessProvider, db: Database
) -> None:
    short = settings.model_copy(update={"job_retry_base_seconds": 0.0, "file_link_ttl_days": 1})
    app = create_app(short, outbounds={Channel.SMS: provider})
    org = await make_org(db)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            client.app = app  # type: ignore[attr-defined]
            await set_up_sms(client, org)
            issue_id = await texting_customer(client, org)
            sent = await upload(
                client, org.auth(org.ana), issue_id, [("a.txt", b"x")], channel="sms"
            )
            assert sent.status_code == 201, sent.text
            await settle(client)
            link = provider.delivered[0].file_links[0].removeprefix(settings.public_url)
            context = app.state.context
            attachment = sent.json()["attachments"][0]
            stale = context.links.url_for(
                await _attachment(db, attachment["id"]), utcnow() - timedelta(days=2)
            )
            expired = await client.get(stale.removeprefix(settings.public_url))
            assert (await client.get(link)).status_code == 200
    assert expired.status_code == 410 and "expired" in expired.json()["detail"]


async def _attachment(db: Database, attachment_id: str) -> Attachment:
    async def work(uow: UnitOfWork) -> Attachment:
        found = await uow.attachments.find(attachment_id)
        assert found is not None
        return found

    return await db.read(work)
