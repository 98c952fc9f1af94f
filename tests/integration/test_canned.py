"""Canned responses through the real API."""

from __future__ import annotations

import httpx

from caseroom.storage.uow import Database
from tests.builders import Org, make_org, row_counts, start_chat

URL = "/api/v1/canned-responses"


async def create(client: httpx.AsyncClient, org: Org, who, **fields) -> httpx.Response:
    body = {"title": "Greeting", "body": "Hi {{customer.first_name|there}}!", **fields}
    return await client.post(URL, json=body, headers=org.auth(who))


async def test_admins_manage_organization_templates_and_agents_their_own(
    client: httpx.AsyncClient, db: Database
) -> None:
    org = await make_org(db)
    shared = await create(client, org, org.admin, shortcut="/hi", tags=["Greeting"])
    assert shared.status_code == 201, shared.text
    assert shared.json()["scope"] == "organization"
    assert shared.json()["shortcut"] == "hi" and shared.json()["tags"] == ["greeting"]
    refused = await create(client, org, org.ana, title="Mine?")
    assert refused.status_code == 403
    own = await create(client, org, org.ana, title="Refund steps", personal=True, shortcut="refund")
    assert own.status_code == 201 and own.json()["scope"] == "personal"

    ana_sees = await client.get(URL, headers=org.auth(org.ana))
    assert [c["title"] for c in ana_sees.json()] == ["Greeting", "Refund steps"]
    ben_sees = await client.get(URL, headers=org.auth(org.ben))
    assert [c["title"] for c in ben_sees.json()] == ["Greeting"]
    own_id = own.json()["id"]
    assert (await client.get(f"{URL}/{own_id}", headers=org.auth(org.ben))).status_code == 404
    assert (await client.delete(f"{URL}/{own_id}", headers=org.auth(org.admin))).status_code == 404

    edited = await client.put(
        f"{URL}/{shared.json()['id']}",
        json={"title": "Greeting", "body": "Hello {{customer.name}}"},
        headers=org.auth(org.ana),
    )
    assert edited.status_code == 403
    assert (await client.delete(f"{URL}/{own_id}", headers=org.auth(org.ana))).status_code == 204


async def test_search_by_shortcut_or_title(client: httpx.AsyncClient, db: Database) -> None:
    org = await make_org(db)
    for title, shortcut in (
        ("Shipping delays", "ship"),
        ("Refund policy", "refund"),
        ("Where is my shipment", None),
    ):
        assert (
            await create(client, org, org.admin, title=title, shortcut=shortcut)
        ).status_code == 201

    async def search(q: str) -> list[str]:
        found = await client.get(URL, params={"q": q}, headers=org.auth(org.ana))
        assert found.status_code == 200
        return [c["title"] for c in found.json()]

    assert await search("/ship") == ["Shipping delays", "Where is my shipment"]
    assert await search("refund") == ["Refund policy"]
    assert await search("POLICY") == ["Refund policy"]
    assert await search("nothing like it") == []


async def test_render_fills_in_the_issue(client: httpx.AsyncClient, db: Database) -> None:
    org, other = await make_org(db), await make_org(db)
    chat = await start_chat(client, org, name="Casey Jones")
    body = (
        "Hi {{customer.first_name|there}} ({{customer.name}}), {{agent.first_name}} "
        "({{agent.name}}) from {{organization.name}} on {{ issue.reference }}."
    )
    created = await create(client, org, org.admin, body=body)
    issue = (await client.get(f"/api/v1/issues/{chat.issue_id}", headers=org.auth(org.ana))).json()
    rendered = await client.get(
        f"{URL}/{created.json()['id']}/render",
        params={"issue_id": chat.issue_id},
        headers=org.auth(org.ana),
    )
    assert rendered.status_code == 200, rendered.text
    assert rendered.json()["text"] == (
        f"Hi Casey (Casey Jones), Ana (Ana Agent) from {org.org.name} on {issue['reference']}."
    )
    # Not another organization's Issue, and not for a customer.
    foreign = await client.get(
        f"{URL}/{created.json()['id']}/render",
        params={"issue_id": chat.issue_id},
        headers=other.auth(other.admin),
    )
    assert foreign.status_code == 404


async def test_an_unknown_variable_is_refused_by_name_and_nothing_saved(
    client: httpx.AsyncClient, db: Database
) -> None:
    org = await make_org(db)
    before = await row_counts(db)
    refused = await create(client, org, org.admin, body="Hi {{customer.frist_name}}")
    assert refused.status_code == 422
    problem = refused.json()
    assert "customer.frist_name" in problem["detail"]
    assert problem["variable"] == "customer.frist_name"
    malformed = await create(client, org, org.ana, body="Hi {{customer name}}", personal=True)
    assert malformed.status_code == 422
    assert await row_counts(db) == before


async def test_shortcuts_are_unique_per_owner(client: httpx.AsyncClient, db: Database) -> None:
    org = await make_org(db)
    assert (await create(client, org, org.admin, shortcut="hi")).status_code == 201
    assert (await create(client, org, org.admin, shortcut="HI")).status_code == 409
    # A personal one may shadow the organization's.
    assert (await create(client, org, org.ana, shortcut="hi", personal=True)).status_code == 201


async def test_customers_cannot_list_read_or_render_canned_responses(
    client: httpx.AsyncClient, db: Database
) -> None:
    org = await make_org(db)
    chat = await start_chat(client, org)
    created = (await create(client, org, org.admin)).json()
    assert (await client.get(URL, headers=chat.auth)).status_code == 403
    assert (await client.get(f"{URL}/{created['id']}", headers=chat.auth)).status_code == 403
    rendered = await client.get(
        f"{URL}/{created['id']}/render", params={"issue_id": chat.issue_id}, headers=chat.auth
    )
    assert rendered.status_code == 403
    posted = await client.post(URL, json={"title": "x", "body": "y"}, headers=chat.auth)
    assert posted.status_code == 403
