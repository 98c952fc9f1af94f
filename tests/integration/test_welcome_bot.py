"""The built-in welcome bot in web chat, with a fixed clock: it greets, offers the
organization's topics, routes the chosen one to its team, answers from a
published article with a link, hands off on "Talk to a person" with a note for
the agents, says when the team is back outside its hours, and says nothing once
an agent has claimed the Issue."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from caseroom.app import create_app
from caseroom.config import Settings
from caseroom.domain.hours import DAYS
from caseroom.storage.uow import Database
from tests.builders import Chat, Org, make_org, open_database, send, settle, start_chat

WEDNESDAY_MORNING = datetime(2026, 12, 2, 10, 0, tzinfo=UTC)
SATURDAY = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    async with open_database(database_url) as opened:
        yield opened


@pytest.fixture
def at(database_url: str, tmp_path: Path) -> Callable[[datetime], Any]:
    """An app whose welcome bot reads team hours at a fixed time."""

    def make(now: datetime) -> Any:
        settings = Settings(
            database_url=database_url, data_dir=tmp_path / "data", limits_enabled=False
        )
        return create_app(settings, clock=lambda: now)

    return make


async def open_client(app: Any) -> AsyncIterator[httpx.AsyncClient]:
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            client.app = app  # type: ignore[attr-defined]
            yield client


async def set_up(client: httpx.AsyncClient, org: Org) -> None:
    admin = org.auth(org.admin)
    team = await client.patch(
        f"/api/v1/admin/teams/{org.team.id}",
        json={"hours": "Mon-Fri 09:00-17:00", "timezone": "UTC"},
        headers=admin,
    )
    assert team.status_code == 200, team.text
    made = await client.put(
        "/api/v1/admin/welcome-bot",
        json={
            "name": "Ava",
            "greeting": "Hi, I am Ava, the virtual assistant.",
            "topics": [
                {"label": "Billing", "team_id": org.team.id},
                {"label": "Gardening", "team_id": org.team.id},
            ],
        },
        headers=admin,
    )
    assert made.status_code == 200, made.text
    article = await client.post(
        "/api/v1/articles",
        json={"title": "Billing questions", "body": "Invoices and billing: find them under "
              "Account, then Billing.", "published": True},
        headers=admin,
    )  # fmt: skip
    assert article.status_code == 201


async def public(client: httpx.AsyncClient, chat: Chat) -> list[dict[str, Any]]:
    got = await client.get(
        f"/api/v1/issues/{chat.issue_id}/rooms/public/messages", headers=chat.auth
    )
    items: list[dict[str, Any]] = got.json()["items"]
    return items


async def test_greets_routes_answers_and_hands_off_with_a_note(
    at: Callable[[datetime], Any], db: Database
) -> None:
    async for client in open_client(at(WEDNESDAY_MORNING)):
        org = await make_org(db)
        await set_up(client, org)
        chat = await start_chat(client, org, message="Hello there")
        await settle(client)
        said = [m["body"] for m in await public(client, chat)]
        assert said[1] == "Hi, I am Ava, the virtual assistant."
        assert said[2] == "What is it about?\nChoose: Billing | Gardening | Talk to a person"

        await send(client, chat.auth, chat.issue_id, body="Billing")
        await settle(client)
        answer = (await public(client, chat))[-1]
        assert answer["author"] == {"kind": "bot", "id": answer["author"]["id"], "name": "Ava"}
        assert "Billing questions" in answer["body"] and f"/kb/{org.slug}/" in answer["body"]
        assert answer["body"].endswith("Choose: That helped | Talk to a person")

        await send(client, chat.auth, chat.issue_id, body="Talk to a person")
        await settle(client)
        last = (await public(client, chat))[-1]
        assert last["kind"] == "event" and "connected with a person" in last["body"]
        agents = await client.get(
            f"/api/v1/issues/{chat.issue_id}/rooms/private/messages", headers=org.auth(org.ana)
        )
        note = agents.json()["items"][-1]["body"]
        assert "Ava handed this Issue to a person: the Customer asked for a person." in note
        assert "- Billing" in note and "Billing questions" in note

        await send(client, chat.auth, chat.issue_id, body="Hello?")
        await settle(client)
        assert (await public(client, chat))[-1]["author"]["kind"] == "customer"  # bot is quiet

        # Erasing the Customer takes the bot's messages, made of their words, too.
        erased = await client.post(
            f"/api/v1/admin/customers/{chat.customer_id}/erase", headers=org.auth(org.admin)
        )
        assert erased.status_code == 200, erased.text
        agents = await client.get(
            f"/api/v1/issues/{chat.issue_id}/rooms/private/messages", headers=org.auth(org.ana)
        )
        assert "Billing questions" not in agents.text and "- Billing" not in agents.text


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_says_nothing_after_a_claim_and_unknown_topics_go_to_a_person(
    at: Callable[[datetime], Any], db: Database
) -> None:
    async for client in open_client(at(WEDNESDAY_MORNING)):
        org = await make_org(db)
        await set_up(client, org)
        chat = await start_chat(client, org, message="Hi")
        await settle(client)
        claimed = await client.post(
            f"/api/v1/issues/{chat.issue_id}/claim", headers=org.auth(org.ana)
        )
        assert claimed.status_code == 200
        await send(client, chat.auth, chat.issue_id, body="Billing")
        await settle(client)
        said = await public(client, chat)
        assert said[-1]["body"] == "Billing" and said[-2]["kind"] == "event"
        bots = [m for m in said if m["author"]["kind"] == "bot"]
        assert len(bots) == 2  # the greeting and the topics, before the claim

        other = await start_chat(client, org, message="Hi")
        await send(client, other.auth, other.issue_id, body="Gardening")
        await settle(client)
        reply = [m["body"] for m in await public(client, other)][-2]
        assert reply.startswith("I could not find an answer to that. I will connect you")


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_outside_hours_it_says_when_the_team_is_back(
    at: Callable[[datetime], Any], db: Database
) -> None:
    async for client in open_client(at(SATURDAY)):
        org = await make_org(db)
        await set_up(client, org)
        chat = await start_chat(client, org, message="Hello")
        await settle(client)
        await send(client, chat.auth, chat.issue_id, body="Gardening")
        await settle(client)
        said = [m["body"] for m in await public(client, chat)]
        assert "The team is away right now and back Mon 09:00 (UTC)." in said[-2]
        issue = await client.get(f"/api/v1/issues/{chat.issue_id}", headers=org.auth(org.ana))
        assert issue.json()["status"] == "unclaimed"  # the Issue is open for the team

        # The inbox cards ask which teams are away now (the real clock: tomorrow only).
        tomorrow = DAYS[(datetime.now(UTC).weekday() + 1) % 7]
        await client.patch(
            f"/api/v1/admin/teams/{org.team.id}",
            json={"hours": f"{tomorrow} 09:00-10:00"},
            headers=org.auth(org.admin),
        )
        [team] = (await client.get("/api/v1/team-hours", headers=org.auth(org.ana))).json()
        assert team["open_now"] is False and team["back_at"] == f"{tomorrow} 09:00 (UTC)"
