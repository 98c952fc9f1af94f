"""Words that match more Issues than a search ranks: the best among the newest of
them, said so in the response; exact below the cap; and a view that leaves few of
the newest still finds older matching Issues. On both databases, with the cap
lowered to two Issues."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from caseroom.config import Settings
from caseroom.storage.uow import Database
from tests.builders import Chat, Org, claim_and_resolve, make_org, send, start_chat

CAP = 2


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"search_candidates": CAP})


async def _search(
    client: httpx.AsyncClient, headers: dict[str, str], **params: Any
) -> dict[str, Any]:
    response = await client.get("/api/v1/issues", params=params, headers=headers)
    assert response.status_code == 200, response.text
    found: dict[str, Any] = response.json()
    return found


def _ids(found: dict[str, Any]) -> list[str]:
    return [item["id"] for item in found["items"]]


async def _kettles(client: httpx.AsyncClient, db: Database) -> tuple[Org, Chat, Chat, Chat]:
    """Three Issues about kettles, oldest first; the oldest says it most often."""
    org = await make_org(db)
    oldest = await start_chat(
        client, org, name="Olga Old", message="kettle kettle kettle, the kettle is broken"
    )
    middle = await start_chat(
        client, org, name="Mia Middle", message="my kettle and the kettle lid"
    )
    newest = await start_chat(
        client, org, name="Nils New", message="a question about a kettle and a teapot lid"
    )
    return org, oldest, middle, newest


async def test_more_matches_than_the_cap_rank_among_the_newest(
    client: httpx.AsyncClient, db: Database
) -> None:
    org, oldest, middle, newest = await _kettles(client, db)
    ana = org.auth(org.ana)

    found = await _search(client, ana, q="kettle", queue="all", limit=2)
    # The best of the two newest, best first; the oldest (the best match of
    # all) is beyond the newest two, and the response says the ranking stopped.
    assert _ids(found) == [middle.issue_id, newest.issue_id]
    assert found["ranked_among_newest"] == CAP
    best = found["items"][0]["match"]
    assert [best["text"][s:e] for s, e in best["highlights"]] == ["kettle", "kettle"]
    # Paging goes on among the same newest: nothing older turns up later.
    rest = await _search(client, ana, q="kettle", queue="all", limit=2, cursor=found["next_cursor"])
    assert rest["items"] == []
    assert rest["ranked_among_newest"] == CAP

    # With more words, fewer Issues match: ranked exactly, and nothing is said.
    assert _ids(await _search(client, ana, q="kettle broken", queue="all", limit=2)) == [
        oldest.issue_id
    ]
    lid = await _search(client, ana, q="lid", queue="all", limit=2)
    assert sorted(_ids(lid)) == sorted([middle.issue_id, newest.issue_id])
    assert lid["ranked_among_newest"] is None
    # No words: a view, never limited.
    assert (await _search(client, ana, queue="all", limit=2))["ranked_among_newest"] is None


async def test_a_view_that_leaves_few_of_the_newest_finds_older_matches(
    client: httpx.AsyncClient, db: Database
) -> None:
    org, oldest, middle, newest = await _kettles(client, db)
    ana = org.auth(org.ana)

    url = f"/api/v1/issues/{oldest.issue_id}/tags"
    assert (await client.put(url, json={"tags": ["vip"]}, headers=ana)).status_code == 200
    tagged = await _search(client, ana, q="kettle", tag="vip", limit=2)
    assert _ids(tagged) == [oldest.issue_id]
    assert tagged["ranked_among_newest"] is None  # every match was ranked
    match = tagged["items"][0]["match"]
    assert match["room"] == "public"
    assert [match["text"][s:e] for s, e in match["highlights"]] == ["kettle"] * 4

    await claim_and_resolve(client, org, oldest.issue_id)
    resolved = await _search(client, ana, q="kettle", queue="resolved", limit=2)
    assert _ids(resolved) == [oldest.issue_id]
    # The Open view holds the two newest: ranked among them, as without a view.
    still_open = await _search(client, ana, q="kettle", queue="open", limit=2)
    assert _ids(still_open) == [middle.issue_id, newest.issue_id]


async def test_the_cap_counts_only_what_the_asker_may_find(
    client: httpx.AsyncClient, db: Database
) -> None:
    org, oldest, middle, newest = await _kettles(client, db)
    ana = org.auth(org.ana)
    # Another organization's Issues neither show nor take a place among the newest.
    stranger = await make_org(db)
    for _ in range(CAP + 1):
        await start_chat(client, stranger, message="kettle kettle")
    found = await _search(client, ana, q="kettle", queue="all", limit=2)
    assert _ids(found) == [middle.issue_id, newest.issue_id]

    # Newer text the Customer may not read, in their own Issue and in others.
    for chat in (oldest, middle, newest):
        sent = await send(client, ana, chat.issue_id, room="private", body="kettle recall list")
        assert sent.status_code == 201
    # The Customer's search looks in what they may read only: their own Issue,
    # below the cap, found by its public text.
    own = await _search(client, oldest.auth, q="kettle")
    assert _ids(own) == [oldest.issue_id]
    assert own["items"][0]["match"]["room"] == "public"
    assert own["ranked_among_newest"] is None
    assert (await _search(client, oldest.auth, q="recall"))["items"] == []
    assert (await _search(client, middle.auth, q="broken"))["items"] == []
