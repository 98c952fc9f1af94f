"""@mentions through the real API: notifications, watchers, the Mentions queue."""

from __future__ import annotations

import httpx

from caseroom.storage.uow import Database
from tests.builders import deactivate, make_org, note, send, start_chat


async def notifications(client: httpx.AsyncClient, headers: dict[str, str]) -> dict:
    response = await client.get("/api/v1/notifications", headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


async def queue(client: httpx.AsyncClient, headers: dict[str, str], name: str) -> list[str]:
    response = await client.get(f"/api/v1/issues?queue={name}", headers=headers)
    assert response.status_code == 200, response.text
    return [i["id"] for i in response.json()["items"]]


async def test_a_mention_notifies_watches_and_fills_the_mentions_queue(
    client: httpx.AsyncClient, db: Database
) -> None:
    org = await make_org(db)
    chat = await start_chat(client, org)
    sent = await send(
        client, org.auth(org.ana), chat.issue_id, room="private", body="@[Ben Agent] can you look?"
    )
    assert sent.status_code == 201, sent.text

    inbox = await notifications(client, org.auth(org.ben))
    assert inbox["unread"] == 1
    [item] = inbox["items"]
    assert item["kind"] == "mention"
    assert item["issue_id"] == chat.issue_id
    assert item["actor_id"] == org.ana.id
    assert item["message"]["body"] == "@[Ben Agent] can you look?"
    assert item["read_at"] is None

    issue = (await client.get(f"/api/v1/issues/{chat.issue_id}", headers=org.auth(org.ben))).json()
    assert org.ben.id in issue["watcher_ids"]
    assert await queue(client, org.auth(org.ben), "mentions") == [chat.issue_id]
    assert await queue(client, org.auth(org.ana), "mentions") == []
    assert (await notifications(client, org.auth(org.ana)))["items"] == []

    activity = await client.get(
        f"/api/v1/issues/{chat.issue_id}/activity", headers=org.auth(org.ana)
    )
    assert {"action": "mention", "agent_id": org.ben.id} in [
        {"action": a["action"], "agent_id": a["detail"].get("agent_id")} for a in activity.json()
    ]


async def test_marking_read(client: httpx.AsyncClient, db: Database) -> None:
    org = await make_org(db)
    chat = await start_chat(client, org)
    for text in ("@[Ben Agent] one", "@[ben@" + org.slug + ".example] two"):
        await note(client, org.auth(org.ana), chat.issue_id, text)
    inbox = await notifications(client, org.auth(org.ben))
    assert inbox["unread"] == 2
    first = inbox["items"][-1]["id"]

    marked = await client.post(
        "/api/v1/notifications/read", json={"ids": [first]}, headers=org.auth(org.ben)
    )
    assert marked.json() == {"marked": 1}
    unread = await client.get("/api/v1/notifications?unread=true", headers=org.auth(org.ben))
    assert [n["id"] for n in unread.json()["items"]] == [inbox["items"][0]["id"]]

    # Someone else's notification id: refused, and nothing is marked.
    refused = await client.post(
        "/api/v1/notifications/read",
        json={"ids": [inbox["items"][0]["id"]]},
        headers=org.auth(org.ana),
    )
    assert refused.status_code == 404
    assert (await notifications(client, org.auth(org.ben)))["unread"] == 1

    everything = await client.post(
        "/api/v1/notifications/read", json={"all": True}, headers=org.auth(org.ben)
    )
    assert everything.json() == {"marked": 1}
    assert (await notifications(client, org.auth(org.ben)))["unread"] == 0


async def test_mentions_that_name_nobody_here_do_nothing(
    client: httpx.AsyncClient, db: Database
) -> None:
    org, other = await make_org(db), await make_org(db)
    await deactivate(db, org.admin)
    chat = await start_chat(client, org)
    text = (
        f"@[{other.ben.email}] @[Alex Admin] @[Nobody Here] @[Ana Agent] "
        "and @Ben Agent without brackets"
    )
    sent = await send(client, org.auth(org.ana), chat.issue_id, room="private", body=text)
    assert sent.json()["body"] == text  # plain text, unchanged
    for who, headers in ((org.ben, org.auth(org.ben)), (other.ben, other.auth(other.ben))):
        assert (await notifications(client, headers))["items"] == [], who.name
    issue = (await client.get(f"/api/v1/issues/{chat.issue_id}", headers=org.auth(org.ana))).json()
    assert issue["watcher_ids"] == []


async def test_public_room_text_is_never_read_for_mentions(
    client: httpx.AsyncClient, db: Database
) -> None:
    org = await make_org(db)
    chat = await start_chat(client, org, message="@[Ben Agent] help me")
    await send(client, org.auth(org.ana), chat.issue_id, body="@[Ben Agent] over to you")
    await note(client, org.auth(org.ana), chat.issue_id, "@[Ben Agent] a public note", "public")
    await send(client, chat.auth, chat.issue_id, body="@[Ben Agent] hello?")
    assert (await notifications(client, org.auth(org.ben)))["items"] == []
    assert await queue(client, org.auth(org.ben), "mentions") == []


async def test_customers_have_no_notifications_or_suggestions(
    client: httpx.AsyncClient, db: Database
) -> None:
    org = await make_org(db)
    chat = await start_chat(client, org)
    for path in ("/api/v1/notifications", "/api/v1/agents/suggestions?q=a"):
        assert (await client.get(path, headers=chat.auth)).status_code == 403
    marked = await client.post("/api/v1/notifications/read", json={"all": True}, headers=chat.auth)
    assert marked.status_code == 403


async def test_suggestions_offer_active_agents_of_the_organization(
    client: httpx.AsyncClient, db: Database
) -> None:
    org, other = await make_org(db), await make_org(db)
    await deactivate(db, org.admin)
    found = await client.get("/api/v1/agents/suggestions?q=a", headers=org.auth(org.ben))
    assert found.status_code == 200
    # Names starting with it first, then a later word; the deactivated admin not at all.
    assert [(s["name"], s["mention"]) for s in found.json()] == [
        ("Ana Agent", "@[Ana Agent]"),
        ("Ben Agent", "@[Ben Agent]"),
    ]
    everyone = await client.get("/api/v1/agents/suggestions", headers=org.auth(org.ben))
    ids = {s["id"] for s in everyone.json()}
    assert ids == {org.ana.id, org.ben.id}
    assert not ids & {other.ana.id, other.ben.id}
