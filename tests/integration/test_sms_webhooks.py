"""The SMS webhooks on both databases, in process: a signed text is stored once
however often the provider posts it, UNSUBSCRIBE and UNSTOP block and unblock
the number, the provider's status reports move a text's delivery forward only,
and a webhook for another account is refused."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from caseroom.app import create_app
from caseroom.channels.testing import InProcessProvider
from caseroom.config import Settings
from caseroom.domain.delivery import Delivery, DeliveryState
from caseroom.domain.ids import new_id
from caseroom.domain.model import Channel
from caseroom.services.common import utcnow
from caseroom.storage.uow import Database, UnitOfWork
from tests.builders import Org, key, make_org
from tests.sms_provider import ACCOUNT_SID, AUTH_TOKEN, inbound_form, sign

BASE = "https://desk.example"


@pytest.fixture
def provider() -> InProcessProvider:
    return InProcessProvider(Channel.SMS)


@pytest.fixture
async def client(
    settings: Settings, provider: InProcessProvider
) -> AsyncIterator[httpx.AsyncClient]:
    public = settings.model_copy(update={"public_url": BASE})
    app = create_app(public, outbounds={Channel.SMS: provider})
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            http.app = app  # type: ignore[attr-defined]
            yield http


async def texting_org(db: Database, client: httpx.AsyncClient) -> Org:
    org = await make_org(db)
    response = await client.put(
        "/api/v1/settings/channels/sms",
        json={
            "config": {"account_sid": ACCOUNT_SID, "from_number": "+14155550000"},
            "secrets": {"auth_token": AUTH_TOKEN},
        },
        headers=org.auth(org.admin),
    )
    assert response.status_code == 200, response.text
    return org


async def webhook(
    client: httpx.AsyncClient, org: Org, kind: str, form: dict[str, str]
) -> httpx.Response:
    path = f"/api/v1/channels/sms/{org.slug}/{kind}"
    signature = sign(BASE + path, form)  # over the public URL the provider called
    return await client.post(path, data=form, headers={"X-Twilio-Signature": signature})


async def only_issue(client: httpx.AsyncClient, org: Org) -> dict[str, Any]:
    listed = await client.get(
        "/api/v1/issues", params={"queue": "unclaimed"}, headers=org.auth(org.ana)
    )
    (issue,) = listed.json()["items"]
    return dict(issue)


async def test_texts_keywords_and_reports_on_both_databases(
    db: Database, client: httpx.AsyncClient, provider: InProcessProvider
) -> None:
    org = await texting_org(db, client)
    sender = "+14155550120"
    first = inbound_form(sender, "Hi, where is my parcel?")
    for _ in range(3):  # the provider retries
        assert (await webhook(client, org, "inbound", first)).status_code == 200
    issue = await only_issue(client, org)
    page = await client.get(
        f"/api/v1/issues/{issue['id']}/rooms/public/messages", headers=org.auth(org.ana)
    )
    assert [m["body"] for m in page.json()["items"]] == ["Hi, where is my parcel?"]

    # A reply the provider took (the delivery job's part is tested in test_deliveries).
    reply = await client.post(
        f"/api/v1/issues/{issue['id']}/rooms/public/messages",
        json={"body": "On its way!", "channel": "chat", "idempotency_key": key()},
        headers=org.auth(org.ana),
    )
    assert reply.status_code == 201, reply.text
    provider_id = "SM" + key()
    now = utcnow()
    taken = Delivery(
        id=new_id(),
        org_id=org.org.id,
        issue_id=issue["id"],
        message_id=reply.json()["id"],
        channel=Channel.SMS,
        recipient=sender,
        state=DeliveryState.SENT,
        created_at=now,
        updated_at=now,
        provider_id=provider_id,
    )

    async def record(uow: UnitOfWork) -> None:
        assert await uow.deliveries.add(taken)

    await db.run(record)
    delivery = {"provider_id": provider_id}
    for state in ("delivered", "sent", "undelivered"):  # late and out of order
        report = {
            "MessageSid": delivery["provider_id"],
            "MessageStatus": state,
            "AccountSid": ACCOUNT_SID,
        }
        assert (await webhook(client, org, "status", report)).status_code == 204
    page = await client.get(
        f"/api/v1/issues/{issue['id']}/rooms/public/messages", headers=org.auth(org.ana)
    )
    assert page.json()["items"][-1]["deliveries"][0]["state"] == "delivered"

    async def sms_enabled() -> bool:
        found = await client.get(
            f"/api/v1/issues/{issue['id']}/channels", headers=org.auth(org.ana)
        )
        return bool(next(c for c in found.json()["channels"] if c["channel"] == "sms")["enabled"])

    assert (
        await webhook(client, org, "inbound", inbound_form(sender, "UNSUBSCRIBE"))
    ).status_code == 200
    assert not await sms_enabled()
    assert (
        await webhook(client, org, "inbound", inbound_form(sender, "unstop"))
    ).status_code == 200
    assert await sms_enabled()
    other = inbound_form(sender, "A text for another account", AccountSid="AC" + "9" * 32)
    assert (await webhook(client, org, "inbound", other)).status_code == 403
