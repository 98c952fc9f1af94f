"""Where the Customer wrote from, on both databases: each chat page (site widget,
in-app embed, Connect page), a text and a mail records its surface on the Issue,
agents read it on the Issue and in the Customer panel, the Customer never does,
and a page cannot pass for something it is not."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from caseroom.domain.model import Channel
from caseroom.services.conversations import Contact
from caseroom.services.inbound import InboundMessage, receive_inbound
from caseroom.services.messages import Sent
from caseroom.storage.uow import Database, UnitOfWork
from tests.builders import Org, identity_secret, identity_token, key, make_org


async def start(client: httpx.AsyncClient, org: Org, **fields: Any) -> dict[str, Any]:
    body = {"name": "Noa", "email": f"{key()[:8]}@customer.example", "message": "Hi", **fields}
    response = await client.post(f"/api/v1/organizations/{org.slug}/conversations", json=body)
    assert response.status_code == 201, response.text
    started: dict[str, Any] = response.json()
    return started


async def as_agent(client: httpx.AsyncClient, org: Org, issue_id: str) -> dict[str, Any]:
    response = await client.get(f"/api/v1/issues/{issue_id}", headers=org.auth(org.ana))
    assert response.status_code == 200, response.text
    issue: dict[str, Any] = response.json()
    return issue


async def profile(client: httpx.AsyncClient, org: Org, customer_id: str) -> dict[str, Any]:
    response = await client.get(
        f"/api/v1/customers/{customer_id}/profile", headers=org.auth(org.ana)
    )
    assert response.status_code == 200, response.text
    found: dict[str, Any] = response.json()
    return found


@pytest.mark.parametrize("surface", ["widget", "embed", "connect"])
async def test_each_chat_page_records_where_the_conversation_started(
    client: httpx.AsyncClient, db: Database, surface: str
) -> None:
    org = await make_org(db)
    started = await start(client, org, surface=surface)
    issue_id = started["issue"]["id"]
    assert (await as_agent(client, org, issue_id))["surface"] == surface
    shown = await profile(client, org, started["customer_id"])
    assert shown["surfaces"] == [surface]
    assert [(i["id"], i["surface"]) for i in shown["issues"]] == [(issue_id, surface)]
    # The Customer's own view of the Issue carries no such field.
    mine = await client.get(
        f"/api/v1/issues/{issue_id}",
        headers={"Authorization": f"Bearer {started['customer_token']}"},
    )
    assert mine.status_code == 200
    assert "surface" not in mine.json() or mine.json()["surface"] is None


async def test_a_start_naming_no_page_is_an_api_start_and_another_page_is_refused(
    client: httpx.AsyncClient, db: Database
) -> None:
    org = await make_org(db)
    plain = await start(client, org)
    assert (await as_agent(client, org, plain["issue"]["id"]))["surface"] == "api"
    for claimed in ("sms", "email", "console", ""):
        body = {"name": "Noa", "email": "noa@customer.example", "message": "Hi"}
        refused = await client.post(
            f"/api/v1/organizations/{org.slug}/conversations", json={**body, "surface": claimed}
        )
        assert refused.status_code == 422, refused.text
        assert refused.headers["content-type"].startswith("application/problem+json")


async def test_a_customer_starting_again_records_the_page_and_a_signed_identity_is_the_embed(
    client: httpx.AsyncClient, db: Database
) -> None:
    org = await make_org(db)
    first = await start(client, org, surface="connect")
    again = await client.post(
        "/api/v1/conversations",
        json={"message": "One more thing", "idempotency_key": key(), "surface": "widget"},
        headers={"Authorization": f"Bearer {first['customer_token']}"},
    )
    assert again.status_code == 201, again.text
    assert (await as_agent(client, org, again.json()["issue"]["id"]))["surface"] == "widget"
    shown = await profile(client, org, first["customer_id"])
    assert shown["surfaces"] == ["widget", "connect"]  # newest first

    # Only the embed exchanges a signed identity: whatever its page says, a
    # Customer signed in that way starts from the embed.
    secret = await identity_secret(client, org)
    verified = await client.post(
        f"/api/v1/organizations/{org.slug}/identity",
        json={"identity_token": identity_token(secret, external_id=f"user-{key()[:6]}")},
    )
    assert verified.status_code == 200, verified.text
    opened = await client.post(
        "/api/v1/conversations",
        json={"message": "From the app", "idempotency_key": key(), "surface": "connect"},
        headers={"Authorization": f"Bearer {verified.json()['customer_token']}"},
    )
    assert opened.status_code == 201, opened.text
    issue = await as_agent(client, org, opened.json()["issue"]["id"])
    assert issue["surface"] == "embed"
    assert (await profile(client, org, issue["customer_id"]))["verified"] is True


async def receive(db: Database, inbound: InboundMessage) -> Sent:
    async def work(uow: UnitOfWork) -> Sent:
        return await receive_inbound(uow, inbound, max_chars=10_000)

    return await db.run(work)


@pytest.mark.parametrize("channel", [Channel.SMS, Channel.EMAIL])
async def test_a_text_or_a_mail_records_its_channel_as_the_surface(
    client: httpx.AsyncClient, db: Database, channel: Channel
) -> None:
    org = await make_org(db)
    if channel is Channel.SMS:
        address = f"+1415555{int(key()[:8], 16) % 10_000:04d}"
        contact = Contact(name="Robin", phone=address)
    else:
        address = f"{key()[:8]}@mail.example"
        contact = Contact(name="Robin", email=address)
    sent = await receive(
        db,
        InboundMessage(
            channel=channel,
            org_id=org.org.id,
            contact=contact,
            address=address,
            provider_id=key(),
            body="My zipper broke.",
            subject="Broken zipper",
        ),
    )
    issue = await as_agent(client, org, sent.message.issue_id)
    assert issue["surface"] == channel.value
    assert (await profile(client, org, issue["customer_id"]))["surfaces"] == [channel.value]
