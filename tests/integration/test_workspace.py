"""The agent's workspace over the API, on both databases: the Customer panel,
handing an Issue over, tags and priority, claiming on the first reply, and the
waiting clock of a reopened Issue."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import httpx

from caseroom.storage.uow import Database
from tests.builders import make_org, send, settle, start_chat


async def _issue(client: httpx.AsyncClient, headers: dict[str, str], issue_id: str) -> Any:
    response = await client.get(f"/api/v1/issues/{issue_id}", headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


async def _actions(client: httpx.AsyncClient, headers: dict[str, str], issue_id: str) -> list[str]:
    response = await client.get(f"/api/v1/issues/{issue_id}/activity", headers=headers)
    return [e["action"] for e in response.json()]


async def test_customer_panel_shows_earlier_issues_notes_and_refuses_duplicates(
    client: httpx.AsyncClient, db: Database
) -> None:
    org = await make_org(db)
    ana = org.auth(org.ana)
    first = await start_chat(client, org, name="Greta", email="greta@shop.example")
    other = await start_chat(client, org, name="Tom", email="tom@shop.example")

    added = await client.post(
        f"/api/v1/customers/{first.customer_id}/notes", json={"body": "Prefers German"}, headers=ana
    )
    assert added.status_code == 201
    profile = (
        await client.get(f"/api/v1/customers/{first.customer_id}/profile", headers=ana)
    ).json()
    assert profile["customer"]["email"] == "greta@shop.example"
    assert profile["verified"] is False
    assert profile["wrote_from"] == ["chat"]
    assert [i["id"] for i in profile["issues"]] == [first.issue_id]
    assert [n["body"] for n in profile["notes"]] == ["Prefers German"]
    assert profile["notes"][0]["author_id"] == org.ana.id

    taken = await client.patch(
        f"/api/v1/customers/{first.customer_id}", json={"email": "TOM@shop.example"}, headers=ana
    )
    assert taken.status_code == 409
    assert taken.json()["field"] == "email"
    edited = await client.patch(
        f"/api/v1/customers/{first.customer_id}",
        json={"name": "Greta Müller", "phone": "+49 30 1234567"},
        headers=ana,
    )
    assert edited.status_code == 200, edited.text
    assert edited.json()["phone"] == "+49301234567"
    # Search follows the edit in the same transaction.
    found = await client.get("/api/v1/issues", params={"q": "muller +49 30 123-4567"}, headers=ana)
    assert [i["id"] for i in found.json()["items"]] == [first.issue_id]

    # Customers and other organizations never reach the panel.
    for headers in (first.auth, other.auth):
        refused = await client.get(
            f"/api/v1/customers/{first.customer_id}/profile", headers=headers
        )
        assert refused.status_code in (403, 404)
    stranger = await make_org(db)
    hidden = await client.get(
        f"/api/v1/customers/{first.customer_id}/profile", headers=stranger.auth(stranger.ana)
    )
    assert hidden.status_code == 404


async def test_hand_over_tags_priority_and_claim_on_first_reply(
    client: httpx.AsyncClient, db: Database
) -> None:
    org = await make_org(db)
    ana = org.auth(org.ana)
    chat = await start_chat(client, org)

    # Ana's first public reply claims the Unclaimed Issue for her.
    assert (await send(client, ana, chat.issue_id, body="On it")).status_code == 201
    issue = await _issue(client, ana, chat.issue_id)
    assert (issue["status"], issue["owner_agent_id"]) == ("claimed", org.ana.id)

    moved = await client.post(
        f"/api/v1/issues/{chat.issue_id}/assign", json={"agent_id": org.ben.id}, headers=ana
    )
    assert moved.json()["owner_agent_id"] == org.ben.id
    freed = await client.post(f"/api/v1/issues/{chat.issue_id}/unassign", headers=ana)
    assert (freed.json()["status"], freed.json()["owner_agent_id"]) == ("unclaimed", None)

    tagged = await client.put(
        f"/api/v1/issues/{chat.issue_id}/tags",
        json={"tags": [" VIP ", "refund", "vip"]},
        headers=ana,
    )
    assert tagged.json()["tags"] == ["vip", "refund"]
    urgent = await client.put(
        f"/api/v1/issues/{chat.issue_id}/priority", json={"priority": "urgent"}, headers=ana
    )
    assert urgent.json()["priority"] == "urgent"
    bad = await client.put(
        f"/api/v1/issues/{chat.issue_id}/priority", json={"priority": "meh"}, headers=ana
    )
    assert bad.status_code == 422
    assert (
        await client.put(
            f"/api/v1/issues/{chat.issue_id}/tags", json={"tags": ["x"]}, headers=chat.auth
        )
    ).status_code == 403
    found = await client.get("/api/v1/issues", params={"tag": "vip"}, headers=ana)
    assert [i["id"] for i in found.json()["items"]] == [chat.issue_id]
    # (A watch is logged in the same transaction as its claim or assignment.)
    logged = [a for a in await _actions(client, ana, chat.issue_id) if a != "watch"]
    assert logged == ["open", "claim", "assign", "assign", "tag", "priority"]

    # The organization's admin can turn claiming on reply off (agents cannot).
    setting = "/api/v1/settings/claim-on-reply"
    assert (await client.put(setting, json={"enabled": False}, headers=ana)).status_code == 403
    off = await client.put(setting, json={"enabled": False}, headers=org.auth(org.admin))
    assert off.json() == {"enabled": False}
    later = await start_chat(client, org)
    assert (await send(client, ana, later.issue_id, body="Hello")).status_code == 201
    assert (await _issue(client, ana, later.issue_id))["status"] == "unclaimed"


async def test_a_reopened_issue_waits_from_the_customers_new_message(
    client: httpx.AsyncClient, db: Database
) -> None:
    org = await make_org(db)
    ana = org.auth(org.ana)
    chat = await start_chat(client, org)
    await client.post(f"/api/v1/issues/{chat.issue_id}/claim", headers=ana)
    before = (await _issue(client, ana, chat.issue_id))["waiting_since"]
    # Resolved while the Customer was still waiting, then they write again.
    assert (
        await client.post(f"/api/v1/issues/{chat.issue_id}/resolve", headers=ana)
    ).status_code == 200
    again = await send(client, chat.auth, chat.issue_id, body="Still broken")
    assert again.status_code == 201
    issue = await _issue(client, ana, chat.issue_id)
    assert issue["status"] == "claimed"
    waiting = datetime.fromisoformat(issue["waiting_since"])
    assert waiting > datetime.fromisoformat(before)
    assert waiting == datetime.fromisoformat(again.json()["created_at"])


async def test_a_customer_rates_a_resolved_issue_and_agents_see_the_report(
    client: httpx.AsyncClient, db: Database
) -> None:
    org = await make_org(db)
    ana = org.auth(org.ana)
    chat = await start_chat(client, org)
    rating = f"/api/v1/issues/{chat.issue_id}/rating"
    early = await client.put(rating, json={"score": 5}, headers=chat.auth)
    assert early.status_code == 409  # not resolved yet
    await client.post(f"/api/v1/issues/{chat.issue_id}/claim", headers=ana)
    await client.post(f"/api/v1/issues/{chat.issue_id}/resolve", headers=ana)
    await settle(client)  # the resolution's transcripts are filed first
    assert (await client.put(rating, json={"score": 6}, headers=chat.auth)).status_code == 422
    assert (await client.put(rating, json={"score": 4}, headers=ana)).status_code == 403
    first = await client.put(rating, json={"score": 2}, headers=chat.auth)
    assert first.status_code == 200, first.text
    again = await client.put(
        rating, json={"score": 4, "comment": "Quick and kind"}, headers=chat.auth
    )
    assert again.json()["score"] == 4
    seen = (await client.get(rating, headers=ana)).json()
    assert (seen["score"], seen["comment"]) == (4, "Quick and kind")

    report = (await client.get("/api/v1/reports/satisfaction", headers=ana)).json()
    assert (report["total"], report["average"]) == (1, 4.0)
    assert report["counts"] == {"1": 0, "2": 0, "3": 0, "4": 1, "5": 0}
    assert report["recent"][0]["issue_id"] == chat.issue_id
    assert (await client.get("/api/v1/reports/satisfaction", headers=chat.auth)).status_code == 403
    stranger = await make_org(db)
    theirs = await client.get("/api/v1/reports/satisfaction", headers=stranger.auth(stranger.ana))
    assert theirs.json()["total"] == 0
    assert "rate" in await _actions(client, ana, chat.issue_id)
