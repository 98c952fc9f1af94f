"""Knowledge articles on SQLite (FTS5) and PostgreSQL (tsvector): admins write
them, search ranks the better match first and finds only published articles of
the asking organization, and the body is shown as safe HTML."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from caseroom.storage.uow import Database
from tests.builders import Org, make_org

URL = "/api/v1/articles"


async def write(client: httpx.AsyncClient, org: Org, **fields: Any) -> dict[str, Any]:
    body = {"published": True, "tags": [], **fields}
    made = await client.post(URL, json=body, headers=org.auth(org.admin))
    assert made.status_code == 201, made.text
    data: dict[str, Any] = made.json()
    return data


async def search(client: httpx.AsyncClient, org: Org, q: str) -> list[str]:
    found = await client.get(f"{URL}/search", params={"q": q}, headers=org.auth(org.ana))
    assert found.status_code == 200, found.text
    return [hit["title"] for hit in found.json()]


async def test_search_ranks_published_articles_of_the_organization(
    client: httpx.AsyncClient, db: Database
) -> None:
    org, other = await make_org(db), await make_org(db)
    reset = "To reset a password, open Settings and choose Reset password."
    await write(client, org, title="Resetting your password", body=reset)
    shipping = "Parcels arrive in three days. A password is not needed to track one."
    await write(client, org, title="Shipping times", body=shipping)
    rules = "Passwords: 12 characters."
    draft = await write(client, org, title="Password rules", body=rules, published=False)
    await write(client, other, title="Password help elsewhere", body="password password")

    assert await search(client, org, "password reset") == [
        "Resetting your password",
        "Shipping times",
    ]
    assert await search(client, org, "parcels") == ["Shipping times"]
    assert await search(client, org, "arrive"), "stemmed: arrive ~ arriving"
    assert await search(client, org, '\'; DROP TABLE x; -- "OR" NEAR(') == []
    assert await search(client, org, "rules") == []  # a draft

    published = await client.put(
        f"{URL}/{draft['id']}",
        json={"title": "Password rules", "body": "Passwords: 12 characters.", "published": True},
        headers=org.auth(org.admin),
    )
    assert published.status_code == 200
    assert await search(client, org, "rules") == ["Password rules"]
    gone = await client.delete(f"{URL}/{draft['id']}", headers=org.auth(org.admin))
    assert gone.status_code == 204
    assert await search(client, org, "rules") == []


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # no search: one database
async def test_articles_render_safely_and_only_admins_write(
    client: httpx.AsyncClient, db: Database
) -> None:
    org = await make_org(db)
    article = await write(
        client,
        org,
        title="Links",
        body="See [docs](https://example.com) <script>alert(1)</script> "
        "[x](javascript:alert(1)) **bold**",
    )
    assert "<strong>bold</strong>" in article["html"]
    assert "<script" not in article["html"] and "&lt;script&gt;" in article["html"]
    assert 'href="javascript' not in article["html"]
    assert 'href="https://example.com"' in article["html"]
    refused = await client.post(URL, json={"title": "T", "body": "B"}, headers=org.auth(org.ana))
    assert refused.status_code == 403
    empty = await client.post(URL, json={"title": " ", "body": "B"}, headers=org.auth(org.admin))
    assert empty.status_code == 422
    page = await client.get(f"/kb/{org.slug}/{article['id']}")
    assert page.status_code == 200 and "<strong>bold</strong>" in page.text
    assert "<script>" not in page.text
    draft = await write(client, org, title="Hidden", body="draft", published=False)
    assert (await client.get(f"/kb/{org.slug}/{draft['id']}")).status_code == 404
    hidden = await client.get(f"{URL}/{draft['id']}", headers=org.auth(org.ana))
    assert hidden.status_code == 404
