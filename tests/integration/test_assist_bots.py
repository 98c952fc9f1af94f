"""The built-in Agent Assist bots on a seeded Issue: what `#summary`, `#history`,
`#kb` and `#canned` answer, in the private room only; "send to Customer" posts a
suggestion once, as the agent; the Customer's REST and socket reads never carry
an assist bot's reply."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from caseroom.app import create_app
from caseroom.config import Settings
from caseroom.storage.uow import Database
from tests.builders import Org, claim_and_resolve, make_org, open_database, send, settle, start_chat
from tests.components import free_port
from tests.integration.test_tools_stream import Socket

GUARD = 15.0


@pytest.fixture
def settings(sqlite_url: str, tmp_path: Path) -> Settings:
    return Settings(database_url=sqlite_url, data_dir=tmp_path / "data", limits_enabled=False)


@pytest.fixture
async def db(sqlite_url: str) -> AsyncIterator[Database]:
    async with open_database(sqlite_url) as opened:
        yield opened


async def private(client: httpx.AsyncClient, org: Org, issue_id: str) -> list[dict[str, Any]]:
    got = await client.get(
        f"/api/v1/issues/{issue_id}/rooms/private/messages", headers=org.auth(org.ana)
    )
    items: list[dict[str, Any]] = got.json()["items"]
    return items


async def call(client: httpx.AsyncClient, org: Org, issue_id: str, text: str) -> list[Any]:
    """Call a bot as Ana; the bot messages it answered with."""
    before = len(await private(client, org, issue_id))
    sent = await send(client, org.auth(org.ana), issue_id, "private", text)
    assert sent.status_code == 201
    await settle(client)
    return [m for m in (await private(client, org, issue_id))[before + 1 :]]


async def seeded(client: httpx.AsyncClient, org: Org) -> tuple[Any, str]:
    """A Customer with a resolved earlier Issue and a current one with some history."""
    email = "robin@customer.example"
    earlier = await start_chat(
        client, org, name="Robin Fox", email=email, message="My invoice is wrong."
    )
    await claim_and_resolve(client, org, earlier.issue_id)
    chat = await start_chat(
        client,
        org,
        name="Robin Fox",
        email=email,
        message="I cannot sign in to my account. The password reset mail never arrives.",
    )
    ana = org.auth(org.ana)
    await client.post(f"/api/v1/issues/{chat.issue_id}/claim", headers=ana)
    await send(client, ana, chat.issue_id, "public", "I resent the reset mail to your address.")
    await send(client, chat.auth, chat.issue_id, "public", "Still nothing. Is my address right?")
    return chat, earlier.issue_id


async def test_summary_and_history_answer_from_the_issue(
    client: httpx.AsyncClient, db: Database
) -> None:
    org = await make_org(db)
    chat, earlier_id = await seeded(client, org)

    [summary] = await call(client, org, chat.issue_id, "#summary")
    text = summary["body"]
    assert summary["author"]["kind"] == "bot" and summary["author"]["name"] == "Summary bot"
    request, tried, still_open = (
        text.split("The request:")[1].split("What was tried:")[0],
        text.split("What was tried:")[1].split("What is open:")[0],
        text.split("What is open:")[1],
    )
    assert "I cannot sign in to my account." in request
    assert "I resent the reset mail to your address." in tried
    assert "Is my address right?" in still_open
    assert "Method: extractive" in text

    [history] = await call(client, org, chat.issue_id, "#history")
    earlier = (await client.get(f"/api/v1/issues/{earlier_id}", headers=org.auth(org.ana))).json()
    assert earlier["reference"] in history["body"] and "resolved on" in history["body"]
    assert "My invoice" in history["body"] or "invoice" in history["body"].lower()

    public = await client.get(
        f"/api/v1/issues/{chat.issue_id}/rooms/public/messages", headers=chat.auth
    )
    assert all(m["author"]["kind"] != "bot" for m in public.json()["items"])


async def test_kb_and_canned_suggest_and_send_to_customer_posts_once_as_the_agent(
    client: httpx.AsyncClient, db: Database
) -> None:
    org = await make_org(db)
    admin = org.auth(org.admin)
    for title, body, published in (
        ("Reset your password", "Open **Settings**, choose *Reset password*; the mail comes "
         "within minutes. Check the spam folder.", True),
        ("Invoices", "Invoices are sent monthly.", True),
        ("Password policy (draft)", "Passwords need 12 characters.", False),
    ):  # fmt: skip
        made = await client.post(
            "/api/v1/articles",
            json={"title": title, "body": body, "published": published},
            headers=admin,
        )
        assert made.status_code == 201, made.text
    await client.post(
        "/api/v1/canned-responses",
        json={
            "title": "Password reset mail",
            "body": "Hi {{customer.first_name|there}}, the reset mail for {{issue.reference}} "
            "is on its way.",
            "tags": ["password"],
        },
        headers=admin,
    )
    chat, _ = await seeded(client, org)

    articles = await call(client, org, chat.issue_id, "#kb password reset")
    assert len(articles) == 1  # drafts are not searched; "Invoices" does not match
    assert "Reset your password" in articles[0]["body"] and "/kb/" in articles[0]["body"]
    [canned] = await call(client, org, chat.issue_id, "#canned password")
    reference = (await client.get(f"/api/v1/issues/{chat.issue_id}", headers=admin)).json()
    assert f"Hi Robin, the reset mail for {reference['reference']} is on its way." in canned["body"]

    listed = await client.get(
        f"/api/v1/issues/{chat.issue_id}/suggestions", headers=org.auth(org.ana)
    )
    assert set(listed.json()["suggestions"]) == {articles[0]["id"], canned["id"]}
    send_url = f"/api/v1/issues/{chat.issue_id}/suggestions/{canned['id']}/send"
    first = await client.post(send_url, headers=org.auth(org.ana))
    again = await client.post(send_url, headers=org.auth(org.ana))
    by_ben = await client.post(send_url, headers=org.auth(org.ben))
    assert first.status_code == 201 and again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    assert by_ben.status_code == 409
    sent = first.json()
    assert sent["room"] == "public" and sent["author"]["id"] == org.ana.id
    assert sent["body"].startswith("Hi Robin, the reset mail")
    public = await client.get(
        f"/api/v1/issues/{chat.issue_id}/rooms/public/messages", headers=chat.auth
    )
    bodies = [m["body"] for m in public.json()["items"]]
    assert bodies.count(sent["body"]) == 1
    refused = await client.post(send_url, headers=chat.auth)
    assert refused.status_code == 403


@pytest.fixture
async def live(settings: Settings) -> AsyncIterator[tuple[str, Any]]:
    port = free_port()
    app = create_app(settings)
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.01)
    yield f"http://127.0.0.1:{port}", app
    server.should_exit = True
    await asyncio.wait_for(task, GUARD)


async def test_a_customers_socket_never_carries_an_assist_bots_reply(
    live: tuple[str, Any], db: Database
) -> None:
    base, app = live
    org = await make_org(db)
    async with httpx.AsyncClient(base_url=base) as http:
        chat = await start_chat(http, org, message="Where is my parcel?")
        customer = await Socket.open(base, chat.token)
        await customer.subscribe(chat.issue_id, "public")
        agent = await Socket.open(base, org.tokens[org.ana.id])
        await agent.subscribe(chat.issue_id, "private")
        await send(http, org.auth(org.ana), chat.issue_id, "private", "#summary")
        await app.state.context.worker.settle()
        answered = await agent.expect("message.created")
        while answered["payload"]["message"]["author"]["kind"] != "bot":
            answered = await agent.expect("message.created")
        assert answered["room"] == "private"
        await send(http, org.auth(org.ana), chat.issue_id, "public", "On its way!")
        seen = await customer.expect("message.created")
        assert seen["payload"]["message"]["body"] == "On its way!"  # nothing from the bot first
        assert all(
            f["payload"].get("message", {}).get("author", {}).get("kind") != "bot"
            for f in customer.frames
            if f["type"].startswith("message.")
        )
        for socket in (customer, agent):
            await socket.connection.close()
