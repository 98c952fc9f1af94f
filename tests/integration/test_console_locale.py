"""An agent's console language: kept with the agent (so it follows them to every
device), read back in /me, and limited to the languages the console speaks."""

from __future__ import annotations

import httpx

from caseroom.storage.uow import Database
from tests.builders import make_org, start_chat


async def my_locale(client: httpx.AsyncClient, headers: dict[str, str]) -> str | None:
    response = await client.get("/api/v1/me", headers=headers)
    assert response.status_code == 200, response.text
    return response.json()["locale"]


async def test_an_agent_chooses_german_and_the_choice_is_in_me_for_them_only(
    client: httpx.AsyncClient, db: Database
) -> None:
    org = await make_org(db)
    assert await my_locale(client, org.auth(org.ana)) is None  # the browser's, until chosen
    chosen = await client.put("/api/v1/me/locale", json={"locale": "de"}, headers=org.auth(org.ana))
    assert chosen.status_code == 200, chosen.text
    assert chosen.json() == {"locale": "de"}
    assert await my_locale(client, org.auth(org.ana)) == "de"
    assert await my_locale(client, org.auth(org.ben)) is None


async def test_choosing_no_language_goes_back_to_the_browsers(
    client: httpx.AsyncClient, db: Database
) -> None:
    org = await make_org(db)
    await client.put("/api/v1/me/locale", json={"locale": "de"}, headers=org.auth(org.ben))
    cleared = await client.put(
        "/api/v1/me/locale", json={"locale": None}, headers=org.auth(org.ben)
    )
    assert cleared.status_code == 200, cleared.text
    assert await my_locale(client, org.auth(org.ben)) is None


async def test_a_language_the_console_does_not_speak_is_refused_and_nothing_changes(
    client: httpx.AsyncClient, db: Database
) -> None:
    org = await make_org(db)
    await client.put("/api/v1/me/locale", json={"locale": "en"}, headers=org.auth(org.ana))
    for bad in ("fr", "deutsch", "", "x" * 17):
        refused = await client.put(
            "/api/v1/me/locale", json={"locale": bad}, headers=org.auth(org.ana)
        )
        assert refused.status_code == 422, (bad, refused.text)
        assert refused.headers["content-type"].startswith("application/problem+json")
    assert await my_locale(client, org.auth(org.ana)) == "en"


async def test_a_customer_has_no_console_language(client: httpx.AsyncClient, db: Database) -> None:
    org = await make_org(db)
    chat = await start_chat(client, org)
    refused = await client.put("/api/v1/me/locale", json={"locale": "de"}, headers=chat.auth)
    assert refused.status_code == 403, refused.text
