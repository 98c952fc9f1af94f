"""The organization and customer records the console reads."""

from __future__ import annotations

import httpx

from caseroom.storage.uow import Database
from tests.builders import make_org, start_chat


async def test_agent_reads_the_organization_with_its_reply_channels(
    client: httpx.AsyncClient, db: Database
) -> None:
    org = await make_org(db)
    response = await client.get("/api/v1/organization", headers=org.auth(org.ana))
    assert response.status_code == 200, response.text
    data = response.json()
    assert (data["slug"], data["name"]) == (org.slug, org.org.name)
    channels = {c["channel"]: c for c in data["channels"]}
    assert channels["chat"]["enabled"] is True
    for name in ("sms", "email", "video"):
        assert channels[name] == {
            "channel": name,
            "enabled": False,
            "reason": "not set up for this organization",
        }
    assert 0 < data["waiting_amber_seconds"] < data["waiting_red_seconds"]


async def test_agent_reads_a_customer_of_their_organization(
    client: httpx.AsyncClient, db: Database
) -> None:
    org = await make_org(db)
    chat = await start_chat(client, org, name="Maria Rossi", email="maria@example.com")
    response = await client.get(f"/api/v1/customers/{chat.customer_id}", headers=org.auth(org.ben))
    assert response.status_code == 200, response.text
    assert response.json() == {
        "id": chat.customer_id,
        "name": "Maria Rossi",
        "email": "maria@example.com",
        "phone": None,
        "external_id": None,
    }


async def test_customer_records_stay_inside_the_organization(
    client: httpx.AsyncClient, db: Database
) -> None:
    org, other = await make_org(db), await make_org(db)
    chat = await start_chat(client, org)
    path = f"/api/v1/customers/{chat.customer_id}"
    elsewhere = await client.get(path, headers=other.auth(other.admin))
    assert elsewhere.status_code == 404
    assert elsewhere.headers["content-type"] == "application/problem+json"
    missing = await client.get("/api/v1/customers/nobody", headers=org.auth(org.ana))
    assert missing.status_code == 404


async def test_customers_read_neither_customer_records_nor_the_organization(
    client: httpx.AsyncClient, db: Database
) -> None:
    org = await make_org(db)
    chat = await start_chat(client, org)
    own = await client.get(f"/api/v1/customers/{chat.customer_id}", headers=chat.auth)
    assert own.status_code == 403
    assert (await client.get("/api/v1/organization", headers=chat.auth)).status_code == 403
    assert (await client.get("/api/v1/organization")).status_code == 401


async def test_console_page_is_served(client: httpx.AsyncClient) -> None:
    response = await client.get("/console")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert '<script type="module" src="/static/console/app.js">' in response.text
