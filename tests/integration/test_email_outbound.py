"""An agent's email leaves through the organization's relay (an aiosmtpd
server started by the test) or, with no relay, into the local capture an admin
reads: threaded, with the reply token; a 5xx fails with the relay's words, a
4xx is retried and sent once; private-room email reaches collaborators and
never the Customer; notes are never mailed."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from caseroom.app import create_app
from caseroom.channels.email.threading import read_reply_token, token_addresses
from caseroom.config import Settings
from caseroom.domain.model import Channel, Room
from caseroom.storage import tables as t
from caseroom.storage.uow import Database, UnitOfWork
from tests.builders import Org, claim_and_resolve, key, make_org, settle, upload
from tests.smtp_sink import Sink, smtp_sink

CUSTOMER = "maria@customer.example"
TOKEN_KEY = "a-reply-token-key"


@pytest.fixture
def sink() -> Iterator[Sink]:
    with smtp_sink() as running:
        yield running


@pytest.fixture
async def client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    quick = settings.model_copy(update={"job_retry_base_seconds": 0.0})
    app = create_app(quick)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            http.app = app  # type: ignore[attr-defined]
            yield http


def mailbox(org: Org) -> str:
    """The organization's own: one mailbox reaches one organization."""
    return f"help@{org.slug}.example"


async def set_up_email(client: httpx.AsyncClient, org: Org, sink: Sink | None) -> None:
    config: dict[str, Any] = {"address": mailbox(org), "display_name": "Acme"}
    if sink is not None:
        config |= {"relay_host": sink.host, "relay_port": sink.port, "relay_tls": "none"}
    response = await client.put(
        "/api/v1/settings/channels/email",
        json={"config": config, "secrets": {"reply_token_key": TOKEN_KEY}},
        headers=org.auth(org.admin),
    )
    assert response.status_code == 200, response.text


async def emailing_customer(client: httpx.AsyncClient, org: Org) -> str:
    fields = {"name": "Maria Rossi", "email": CUSTOMER, "message": "Where is my parcel?"}
    response = await client.post(f"/api/v1/organizations/{org.slug}/conversations", json=fields)
    assert response.status_code == 201, response.text
    issue_id: str = response.json()["issue"]["id"]
    return issue_id


async def post(
    client: httpx.AsyncClient, org: Org, issue_id: str, room: str, body: str, **extra: Any
) -> httpx.Response:
    return await client.post(
        f"/api/v1/issues/{issue_id}/rooms/{room}/messages",
        json={"body": body, "idempotency_key": key(), **extra},
        headers=org.auth(org.ana),
    )


async def page(client: httpx.AsyncClient, org: Org, issue_id: str, room: str) -> dict[str, Any]:
    found = await client.get(
        f"/api/v1/issues/{issue_id}/rooms/{room}/messages", headers=org.auth(org.ana)
    )
    return {m["id"]: m for m in found.json()["items"]}


async def test_replies_by_email_are_threaded_and_carry_the_reply_token(
    client: httpx.AsyncClient, db: Database, sink: Sink
) -> None:
    org = await make_org(db, name="Acme")
    await set_up_email(client, org, sink)
    issue_id = await emailing_customer(client, org)
    first = await post(
        client,
        org,
        issue_id,
        "public",
        "It left today.",
        channel="email",
        email={"subject": "Your parcel"},
    )
    assert first.status_code == 201, first.text
    await settle(client)
    second = await post(
        client, org, issue_id, "public", "Tracking: https://t.example/1", channel="email"
    )
    await settle(client)
    assert second.status_code == 201

    one, two = [r.mail for r in sink.received]
    assert [r.recipients for r in sink.received] == [[CUSTOMER], [CUSTOMER]]
    assert one["From"] == f"Ana Agent via Acme <{mailbox(org)}>"
    reference = await issue_ref(client, org, issue_id)
    assert one["Subject"] == f"[#{reference}] Your parcel"
    assert two["Subject"] == f"Re: [#{reference}] Your parcel"  # one thread, one subject
    assert two["In-Reply-To"] == one["Message-ID"] and two["References"] == one["Message-ID"]
    (token,) = token_addresses([two["Reply-To"].addresses[0].addr_spec])
    target = read_reply_token(TOKEN_KEY.encode(), org.org.id, token.token)
    assert target is not None and target.issue_id == issue_id and target.room is Room.PUBLIC
    sent = (await page(client, org, issue_id, "public"))[second.json()["id"]]
    (delivery,) = sent["deliveries"]
    assert delivery["state"] == "sent" and f"<{delivery['provider_id']}>" == two["Message-ID"]
    assert sent["email"]["to"] == [CUSTOMER] and sent["email"]["message_id"]


async def test_a_5xx_fails_with_the_relays_text_and_a_4xx_is_retried_and_sent_once(
    client: httpx.AsyncClient, db: Database, sink: Sink
) -> None:
    org = await make_org(db)
    await set_up_email(client, org, sink)
    issue_id = await emailing_customer(client, org)
    sink.refuse_next("554 5.7.1 Message rejected: looks like spam")
    refused = await post(client, org, issue_id, "public", "Buy now", channel="email")
    await settle(client)
    sink.refuse_next("451 4.3.0 Mailbox busy, try later", times=2)
    retried = await post(client, org, issue_id, "public", "Your parcel left", channel="email")
    for _ in range(3):
        await settle(client)

    messages = await page(client, org, issue_id, "public")
    (failed,) = messages[refused.json()["id"]]["deliveries"]
    assert failed["state"] == "failed" and failed["error_code"] == "554"
    assert "Message rejected: looks like spam" in failed["error"]
    (sent,) = messages[retried.json()["id"]]["deliveries"]
    assert sent["state"] == "sent"
    assert sink.sessions == 4  # one refusal, two deferrals, one mail taken
    assert [r.mail["Message-ID"] for r in sink.received] == [f"<{sent['provider_id']}>"]


async def test_private_room_email_goes_to_collaborators_never_the_customer(
    client: httpx.AsyncClient, db: Database, sink: Sink
) -> None:
    org = await make_org(db)
    await set_up_email(client, org, sink)
    issue_id = await emailing_customer(client, org)
    for field, recipients in (("to", [CUSTOMER.upper()]), ("cc", [CUSTOMER])):
        email = {"to": ["vendor@supplier.example"], field: recipients}
        refused = await post(
            client, org, issue_id, "private", "Can you check?", channel="email", email=email
        )
        assert refused.status_code == 422 and refused.json()["field"] == field
    ourselves = await post(
        client,
        org,
        issue_id,
        "private",
        "Hm",
        channel="email",
        email={"to": [mailbox(org).replace("@", "+x@")]},
    )
    assert ourselves.status_code == 422 and "own mailbox" in ourselves.json()["detail"]
    no_one = await post(client, org, issue_id, "private", "Hm", channel="email", email={})
    assert no_one.status_code == 422 and no_one.json()["field"] == "to"
    note = await post(
        client, org, issue_id, "public", "Customer is upset", kind="note", channel="email"
    )
    assert note.status_code == 422
    plain_note = await post(client, org, issue_id, "public", "Customer is upset", kind="note")
    assert plain_note.status_code == 201

    email = {
        "subject": "Parcel 4411 stuck in Milan",
        "to": ["vendor@supplier.example"],
        "cc": ["ops@supplier.example"],
    }
    sent = await post(
        client, org, issue_id, "private", "Can you check parcel 4411?", channel="email", email=email
    )
    assert sent.status_code == 201, sent.text
    await settle(client)
    (mail,) = sink.received
    assert mail.recipients == ["vendor@supplier.example", "ops@supplier.example"]
    assert (
        mail.mail["Subject"]
        == f"[#{(await issue_ref(client, org, issue_id))}] Parcel 4411 stuck in Milan"
    )
    assert "Customer is upset" not in mail.raw.decode()
    (token,) = token_addresses([mail.mail["Reply-To"].addresses[0].addr_spec])
    target = read_reply_token(TOKEN_KEY.encode(), org.org.id, token.token)
    assert target is not None and target.room is Room.PRIVATE and target.issue_id == issue_id
    shown = (await page(client, org, issue_id, "private"))[sent.json()["id"]]
    assert shown["email"]["cc"] == ["ops@supplier.example"]
    assert shown["deliveries"][0]["state"] == "sent"


async def test_private_room_email_refuses_an_address_that_bounces_or_complained(
    client: httpx.AsyncClient, db: Database, sink: Sink
) -> None:
    org = await make_org(db)
    await set_up_email(client, org, sink)
    issue_id = await emailing_customer(client, org)

    async def suppress(uow: UnitOfWork) -> None:
        now = datetime.now(UTC)
        blocks = uow.contact_blocks
        await blocks.block(
            org.org.id, Channel.EMAIL, "gone@supplier.example", "bouncing", "5.1.1", now
        )
        await blocks.block(
            org.org.id, Channel.EMAIL, "angry@supplier.example", "complained", None, now
        )

    await db.run(suppress)
    before = await page(client, org, issue_id, "private")
    for field, address, why in (
        ("cc", "gone@supplier.example", "bounces"),
        ("to", "Angry@Supplier.example", "unwanted"),
    ):
        email = {"to": ["vendor@supplier.example"], field: [address]}
        refused = await post(
            client, org, issue_id, "private", "Can you check?", channel="email", email=email
        )
        assert refused.status_code == 422 and refused.json()["field"] == field
        assert address.lower() in refused.json()["detail"] and why in refused.json()["detail"]
    assert await page(client, org, issue_id, "private") == before
    await settle(client)
    assert sink.received == []


async def issue_ref(client: httpx.AsyncClient, org: Org, issue_id: str) -> str:
    found = await client.get(f"/api/v1/issues/{issue_id}", headers=org.auth(org.ana))
    reference: str = found.json()["reference"]
    return reference


async def test_without_a_relay_mail_is_captured_for_admins_to_read(
    client: httpx.AsyncClient, db: Database
) -> None:
    org = await make_org(db)
    await set_up_email(client, org, None)
    issue_id = await emailing_customer(client, org)
    sent = await post(client, org, issue_id, "public", "Hello <Maria>", channel="email")
    await settle(client)
    listed = await client.get("/api/v1/admin/sent-mail", headers=org.auth(org.admin))
    assert listed.status_code == 200
    (item,) = listed.json()["items"]
    assert item["recipients"] == [CUSTOMER] and item["subject"].startswith("[#")
    opened = await client.get(f"/api/v1/admin/sent-mail/{item['id']}", headers=org.auth(org.admin))
    detail = opened.json()
    assert detail["text"].strip() == "Hello <Maria>" and "&lt;Maria&gt;" in detail["html"]
    assert ("Message-ID", f"<{item['message_id']}>") in [tuple(h) for h in detail["headers"]]
    (delivery,) = (await page(client, org, issue_id, "public"))[sent.json()["id"]]["deliveries"]
    assert delivery["state"] == "sent" and delivery["provider_id"] == item["message_id"]
    framed = await client.get(
        f"/api/v1/admin/sent-mail/{item['id']}/html", headers=org.auth(org.admin)
    )
    assert framed.headers["content-type"].startswith("text/html")
    assert "sandbox" in framed.headers["content-security-policy"]
    assert "script-src" not in framed.headers["content-security-policy"]  # default 'none'
    assert "&lt;Maria&gt;" in framed.text
    as_agent = await client.get("/api/v1/admin/sent-mail", headers=org.auth(org.ana))
    assert as_agent.status_code == 403


async def test_files_travel_as_signed_links_never_as_attachments(
    client: httpx.AsyncClient, db: Database, sink: Sink
) -> None:
    org = await make_org(db)
    await set_up_email(client, org, sink)
    issue_id = await emailing_customer(client, org)
    sent = await upload(
        client,
        org.auth(org.ana),
        issue_id,
        [("label.pdf", b"%PDF-1.4 return label")],
        body="Here is your return label.",
        channel="email",
    )
    assert sent.status_code == 201, sent.text
    await settle(client)
    (received,) = sink.received
    mail = received.mail
    assert not list(mail.iter_attachments()) and b"%PDF" not in received.raw
    text = mail.get_body(("plain",))
    assert text is not None
    (link,) = [w for w in text.get_content().split() if "/f/" in w]
    assert "label.pdf:" in text.get_content()
    opened = await client.get(link.replace("http://testserver", ""))
    assert opened.status_code == 200 and opened.content == b"%PDF-1.4 return label"


async def test_a_mention_left_unread_is_mailed_with_a_private_room_token(
    client: httpx.AsyncClient, db: Database, sink: Sink
) -> None:
    org = await make_org(db)
    await set_up_email(client, org, sink)
    issue_id = await emailing_customer(client, org)
    mentioned = await post(client, org, issue_id, "private", "@[Ben Agent] can you look?")
    read_in_time = await post(client, org, issue_id, "private", "@[Alex Admin] and you?")
    assert mentioned.status_code == read_in_time.status_code == 201
    await settle(client)
    assert sink.received == []  # they may still see it in the console
    seen = await client.post(
        "/api/v1/notifications/read", json={"all": True}, headers=org.auth(org.admin)
    )
    assert seen.status_code == 200, seen.text

    await minutes_pass(db, org)
    await settle(client)
    await settle(client)
    (mail,) = sink.received
    assert mail.recipients == [org.ben.email.lower()]
    notice = mail.mail
    assert notice["Auto-Submitted"] == "auto-generated" and notice["X-Loop"] == mailbox(org)
    assert notice["From"].startswith("Ana Agent via Acme")
    text = notice.get_body(("plain",))
    assert text is not None and "can you look?" in text.get_content()
    (token,) = token_addresses([notice["Reply-To"].addresses[0].addr_spec])
    target = read_reply_token(TOKEN_KEY.encode(), org.org.id, token.token)
    assert target is not None and target.room is Room.PRIVATE and target.issue_id == issue_id


async def minutes_pass(db: Database, org: Org) -> None:
    """The mention mails come due: as if the agents had been away for minutes."""

    async def work(uow: UnitOfWork) -> None:
        await uow.connection.execute(
            sa.update(t.jobs)
            .where(t.jobs.c.kind == "mention_mail", t.jobs.c.org_id == org.org.id)
            .values(run_after=datetime.now(UTC) - timedelta(seconds=1))
        )

    await db.run(work)


async def test_transcripts_list_each_emails_sender_and_recipients(
    client: httpx.AsyncClient, db: Database, sink: Sink
) -> None:
    org = await make_org(db)
    await set_up_email(client, org, sink)
    issue_id = await emailing_customer(client, org)
    await post(client, org, issue_id, "public", "It left today.", channel="email")
    email = {"to": ["vendor@supplier.example"], "cc": ["ops@supplier.example"]}
    await post(client, org, issue_id, "private", "Check 4411?", channel="email", email=email)
    await claim_and_resolve(client, org, issue_id)
    await settle(client)
    listed = await client.get(f"/api/v1/issues/{issue_id}/transcripts", headers=org.auth(org.ana))
    html = {
        f["room"]: (await client.get(f["download_path"], headers=org.auth(org.ana))).text
        for f in listed.json()["items"]
        if f["format"] == "html"
    }
    assert f"via email from {mailbox(org)} to {CUSTOMER}" in html["public"]
    assert (
        f"via email from {mailbox(org)} to vendor@supplier.example cc ops@supplier.example"
        in html["private"]
    )
    assert "vendor@supplier.example" not in html["public"]


async def test_email_cannot_be_set_up_without_its_mailbox(
    client: httpx.AsyncClient, db: Database
) -> None:
    org = await make_org(db)
    for config in ({}, {"address": "support"}, {"address": "sup port@x.example"}):
        refused = await client.put(
            "/api/v1/settings/channels/email", json={"config": config}, headers=org.auth(org.admin)
        )
        assert refused.status_code == 422 and refused.json()["field"] == "config.address"
    issue_id = await emailing_customer(client, org)
    offered = await client.get(f"/api/v1/issues/{issue_id}/channels", headers=org.auth(org.ana))
    email = next(o for o in offered.json()["channels"] if o["channel"] == "email")
    assert email == {
        "channel": "email",
        "enabled": False,
        "reason": "not set up for this organization",
    }


async def test_a_deferred_mail_says_why_until_it_goes_out(
    settings: Settings, db: Database, sink: Sink
) -> None:
    patient = settings.model_copy(update={"job_retry_base_seconds": 3600.0})
    app = create_app(patient)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            client.app = app  # type: ignore[attr-defined]
            org = await make_org(db)
            await set_up_email(client, org, sink)
            issue_id = await emailing_customer(client, org)
            sink.refuse_next("452 4.2.2 Mailbox full, try later")
            sent = await post(client, org, issue_id, "public", "Your parcel", channel="email")
            await settle(client)
            (deferred,) = (await page(client, org, issue_id, "public"))[sent.json()["id"]][
                "deliveries"
            ]
            assert deferred["state"] == "queued" and deferred["error_code"] == "452"
            assert "Mailbox full" in deferred["error"] and sink.received == []

            async def due_now(uow: UnitOfWork) -> None:
                await uow.connection.execute(
                    sa.update(t.jobs)
                    .where(t.jobs.c.kind == "deliver", t.jobs.c.org_id == org.org.id)
                    .values(run_after=datetime.now(UTC) - timedelta(seconds=1))
                )

            await db.run(due_now)
            await settle(client)
            (delivered,) = (await page(client, org, issue_id, "public"))[sent.json()["id"]][
                "deliveries"
            ]
            assert delivered["state"] == "sent" and delivered["error"] is None
            assert len(sink.received) == 1


async def test_a_mailbox_belongs_to_one_organization(
    client: httpx.AsyncClient, db: Database
) -> None:
    first, second = await make_org(db), await make_org(db)
    await set_up_email(client, first, None)
    taken = await client.put(
        "/api/v1/settings/channels/email",
        json={"config": {"address": mailbox(first).upper()}},
        headers=second.auth(second.admin),
    )
    assert taken.status_code == 409 and taken.json()["field"] == "config.address"
    assert "another organization" in taken.json()["detail"]
    # The detail names no organization; the first keeps its mailbox.
    assert first.slug not in taken.text
    own = await client.put(
        "/api/v1/settings/channels/email",
        json={"config": {"address": mailbox(second)}},
        headers=second.auth(second.admin),
    )
    assert own.status_code == 200
