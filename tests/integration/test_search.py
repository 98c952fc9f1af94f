"""Search and views over an organization's whole history, on both databases:
ranking, highlights, every filter, and what each principal may find."""

from __future__ import annotations

from typing import Any

import httpx

from caseroom.storage.uow import Database
from tests.builders import Chat, Org, claim_and_resolve, make_org, note, redact, send, start_chat


async def _find(
    client: httpx.AsyncClient, headers: dict[str, str], **params: Any
) -> list[dict[str, Any]]:
    response = await client.get("/api/v1/issues", params=params, headers=headers)
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def _marked(item: dict[str, Any]) -> list[str]:
    match = item["match"]
    return [match["text"][s:e] for s, e in match["highlights"]]


async def _world(client: httpx.AsyncClient, db: Database) -> tuple[Org, Chat, Chat, Chat]:
    org = await make_org(db)
    refund = await start_chat(
        client,
        org,
        name="Greta Müller",
        email="greta@shop.example",
        message="My refund for the blue kettle never arrived",
    )
    kettle = await start_chat(
        client, org, name="Tom Baker", message="The kettle whistles too loudly"
    )
    other = await start_chat(client, org, name="Ida Olsen", message="Where is my parcel?")
    assert (
        await send(client, org.auth(org.ana), kettle.issue_id, body="kettle kettle kettle")
    ).status_code == 201
    return org, refund, kettle, other


async def test_words_rank_highlight_and_filter_on_both_databases(
    client: httpx.AsyncClient, db: Database
) -> None:
    org, refund, kettle, other = await _world(client, db)
    ana = org.auth(org.ana)

    found = await _find(client, ana, q="kettle", queue="all")
    assert [i["id"] for i in found] == [kettle.issue_id, refund.issue_id]
    assert _marked(found[1]) == ["kettle"]
    assert found[1]["match"]["room"] == "public"

    # Prefixes, accents folded, every word must match; the Customer's name and email.
    assert [i["id"] for i in await _find(client, ana, q="mull refu", queue="all")] == [
        refund.issue_id
    ]
    by_email = await _find(client, ana, q="greta@shop.example", queue="all")
    assert [i["id"] for i in by_email] == [refund.issue_id]
    assert _marked(by_email[0]) == ["Greta", "greta", "shop", "example"]
    reference = (await client.get(f"/api/v1/issues/{other.issue_id}", headers=ana)).json()
    by_reference = await _find(client, ana, q=reference["reference"].lower(), queue="all")
    assert [i["id"] for i in by_reference] == [other.issue_id]

    # Filters combine with words and with each other.
    # (Ana's reply on the kettle Issue claimed it for her.)
    tagged = await client.post(
        f"/api/v1/issues/{refund.issue_id}/assign",
        json={"agent_id": org.ben.id, "team_id": org.team.id},
        headers=ana,
    )
    assert tagged.status_code == 200
    assert [i["id"] for i in await _find(client, ana, q="kettle", agent=org.ana.id)] == [
        kettle.issue_id
    ]
    assert [i["id"] for i in await _find(client, ana, q="kettle", team=org.team.id)] == [
        refund.issue_id
    ]
    assert await _find(client, ana, q="kettle", channel="sms") == []
    assert len(await _find(client, ana, q="kettle", channel="chat")) == 2
    assert await _find(client, ana, q="kettle", queue="resolved") == []
    assert [i["id"] for i in await _find(client, ana, queue="unclaimed", sort="created")] == [
        other.issue_id
    ]
    mine = await _find(client, ana, queue="mine", q="whistles")
    assert [i["id"] for i in mine] == [kettle.issue_id]

    # Views: newest activity first; waiting longest first; created newest first.
    everything = [i["id"] for i in await _find(client, ana, queue="all")]
    assert everything == [kettle.issue_id, other.issue_id, refund.issue_id]
    waiting = [i["id"] for i in await _find(client, ana, queue="open", sort="waiting")]
    assert waiting[0] == refund.issue_id
    created = [i["id"] for i in await _find(client, ana, queue="all", sort="created")]
    assert created == [other.issue_id, kettle.issue_id, refund.issue_id]
    paged = await client.get("/api/v1/issues", params={"queue": "all", "limit": 2}, headers=ana)
    assert paged.json()["next_cursor"] == "2"
    rest = await _find(client, ana, queue="all", limit=2, cursor="2")
    assert [i["id"] for i in rest] == [refund.issue_id]


async def test_tags_and_changes_are_found_as_they_are_now(
    client: httpx.AsyncClient, db: Database
) -> None:
    org, refund, kettle, _ = await _world(client, db)
    ana = org.auth(org.ana)

    async def tag(chat: Chat, tags: list[str]) -> None:
        url = f"/api/v1/issues/{chat.issue_id}/tags"
        response = await client.put(url, json={"tags": tags}, headers=ana)
        assert response.status_code == 200, response.text

    await tag(kettle, ["vip", "loud"])
    await tag(refund, ["loud"])
    assert [i["id"] for i in await _find(client, ana, queue="all", tag="vip")] == [kettle.issue_id]
    assert await _find(client, ana, queue="all", tag="vi") == []
    assert [i["id"] for i in await _find(client, ana, q="whistles", tag="loud")] == [
        kettle.issue_id
    ]
    # A tag taken off leaves the view at once; the others stay.
    await tag(kettle, ["loud", "urgent"])
    assert await _find(client, ana, queue="all", tag="vip") == []
    assert [i["id"] for i in await _find(client, ana, queue="open", tag="urgent")] == [
        kettle.issue_id
    ]
    assert {i["id"] for i in await _find(client, ana, queue="all", tag="loud")} == {
        kettle.issue_id,
        refund.issue_id,
    }

    # A redaction takes the secret out of the index with the change.
    card = await send(client, refund.auth, refund.issue_id, body="card 4111 1111 1111 1111 ok")
    message = card.json()
    assert [i["id"] for i in await _find(client, ana, q="4111")] == [refund.issue_id]
    await redact(
        client, org.auth(org.admin), refund.issue_id, message["id"], ["4111 1111 1111 1111"]
    )
    assert await _find(client, ana, q="4111") == []


async def test_private_text_never_reaches_a_customer_nor_another_organization(
    client: httpx.AsyncClient, db: Database
) -> None:
    org, refund, kettle, _ = await _world(client, db)
    ana = org.auth(org.ana)
    await send(client, ana, refund.issue_id, room="private", body="zebracode internal only")
    await note(client, ana, refund.issue_id, "zebracode in a note", room="public")
    await note(client, ana, refund.issue_id, "zebracode private note")

    hits = await _find(client, ana, q="zebracode")
    assert [i["id"] for i in hits] == [refund.issue_id]
    assert "zebracode" in hits[0]["match"]["text"]

    # The Customer: through the list with words, any queue, view or filter, nothing.
    for params in (
        {"q": "zebracode"},
        {"q": "zebracode", "queue": "all"},
        {"q": "zebracode internal", "queue": "open", "sort": "created"},
        {"q": "zebra", "channel": "chat"},
    ):
        assert await _find(client, refund.auth, **params) == [], params
    # What the Customer may read, they find; and only in their own Issues.
    own = await _find(client, refund.auth, q="kettle")
    assert [i["id"] for i in own] == [refund.issue_id]
    assert "owner_agent_id" not in {k for k, v in own[0].items() if v is not None}
    assert await _find(client, kettle.auth, q="refund") == []

    # Another organization's agent finds nothing of this one.
    stranger = await make_org(db)
    assert await _find(client, stranger.auth(stranger.ana), q="zebracode", queue="all") == []
    assert await _find(client, stranger.auth(stranger.ana), q="kettle", queue="all") == []


async def test_bad_search_input_is_refused(client: httpx.AsyncClient, db: Database) -> None:
    org = await make_org(db)
    ana = org.auth(org.ana)
    for params in (
        {"queue": "all", "cursor": "abc"},
        {"q": "x" * 201},
        {"sort": "loudest"},
        {"channel": "pigeon"},
    ):
        response = await client.get("/api/v1/issues", params=params, headers=ana)
        assert response.status_code in (400, 422), params
        assert response.headers["content-type"].startswith("application/problem+json")
    # Punctuation is no query syntax.
    assert await _find(client, ana, q='"* OR NEAR( :* & !', queue="all") == []


async def test_views_page_through_every_status_in_last_activity_order(
    client: httpx.AsyncClient, db: Database
) -> None:
    org = await make_org(db)
    ana = org.auth(org.ana)
    first = await start_chat(client, org, message="first")
    second = await start_chat(client, org, message="second")
    third = await start_chat(client, org, message="third")
    # The first Issue is the latest active, then resolved: the views mix statuses.
    assert (await send(client, first.auth, first.issue_id, body="one more")).status_code == 201
    await claim_and_resolve(client, org, first.issue_id)
    newest_first = [first.issue_id, third.issue_id, second.issue_id]

    assert [i["id"] for i in await _find(client, ana, queue="all")] == newest_first
    assert [i["id"] for i in await _find(client, ana, queue="open")] == newest_first[1:]
    assert [i["id"] for i in await _find(client, ana, queue="resolved")] == [first.issue_id]
    assert await _find(client, ana, queue="closed") == []
    # One at a time, each status's Issues merged: no Issue twice, none left out.
    paged, cursor = [], "0"
    while cursor is not None:
        params = {"queue": "all", "limit": 1, "cursor": cursor}
        page = (await client.get("/api/v1/issues", params=params, headers=ana)).json()
        paged += [i["id"] for i in page["items"]]
        cursor = page["next_cursor"]
    assert paged == newest_first
