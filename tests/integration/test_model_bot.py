"""The language-model assist bot, off by default, against a chat-completions server
the test starts (answering in that API's documented shape): `#draft` and
`#summary` send the conversation as the calling agent sees it (never another
Issue's), keep the prompt and the answer in the private room, and say so when the
model times out or answers something that is not a completion."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.responses import Response

from caseroom.config import Settings
from caseroom.storage.uow import Database
from tests.bot_server import BotServer, Received, bot_server
from tests.builders import Org, make_org, open_database, send, settle, start_chat


@pytest.fixture
def settings(sqlite_url: str, tmp_path: Path) -> Settings:
    return Settings(
        database_url=sqlite_url,
        data_dir=tmp_path / "data",
        limits_enabled=False,
        webhook_allow_private_urls=True,
        # The model's stand-in answers on the test's own event loop: a busy machine
        # must not make a prompt late.
        webhook_timeout_seconds=2.0,
    )


@pytest.fixture
async def db(sqlite_url: str) -> AsyncIterator[Database]:
    async with open_database(sqlite_url) as opened:
        yield opened


@pytest.fixture
async def model() -> AsyncIterator[BotServer]:
    async with bot_server() as server:
        yield server


def completion(text: str) -> Any:
    def answer(_: Received) -> Response:
        body = {
            "id": "chatcmpl-1",
            "object": "chat.completion",
            "created": 1767225600,
            "model": "tiny",
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": text},
                    "finish_reason": "stop",
                }
            ],
            "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15},
        }
        return Response(json.dumps(body), media_type="application/json")

    return answer


async def turn_on(client: httpx.AsyncClient, org: Org, model: BotServer) -> None:
    base = model.url.removesuffix("/hook")
    made = await client.put(
        "/api/v1/admin/model-bot",
        json={"url": f"{base}/v1", "model": "tiny", "api_key": "sk-local"},
        headers=org.auth(org.admin),
    )
    assert made.status_code == 200, made.text
    assert made.json()["api_key_set"] and "sk-local" not in made.text


async def private(client: httpx.AsyncClient, org: Org, issue_id: str) -> list[dict[str, Any]]:
    got = await client.get(
        f"/api/v1/issues/{issue_id}/rooms/private/messages", headers=org.auth(org.ana)
    )
    items: list[dict[str, Any]] = got.json()["items"]
    return items


async def test_off_by_default_then_draft_and_summary_from_this_issue_only(
    client: httpx.AsyncClient, db: Database, model: BotServer
) -> None:
    org = await make_org(db)
    other = await start_chat(client, org, message="SECRET-other-issue order 77")
    chat = await start_chat(client, org, message="My jacket zip broke, order 5521.")
    await send(client, org.auth(org.ana), chat.issue_id, "private", "internal: zip kits in stock")
    await send(client, org.auth(org.ana), chat.issue_id, "private", "#draft")
    await settle(client)
    assert model.received == []  # off: #draft is plain text

    await turn_on(client, org, model)
    model.answer(completion("So sorry, Casey! A free zip kit ships today."))
    await send(client, org.auth(org.ana), chat.issue_id, "private", "#draft")
    await settle(client)
    [call] = model.received
    assert call.headers["authorization"] == "Bearer sk-local"
    request = call.json
    assert request["model"] == "tiny" and request["messages"][0]["role"] == "system"
    prompt = request["messages"][1]["content"]
    assert "order 5521" in prompt and "zip kits in stock" in prompt
    assert "SECRET-other-issue" not in prompt and other.issue_id not in prompt
    prompt_msg, answer = (await private(client, org, chat.issue_id))[-2:]
    assert prompt_msg["body"].startswith("Prompt to tiny:") and "order 5521" in prompt_msg["body"]
    assert answer["body"] == "So sorry, Casey! A free zip kit ships today."
    assert answer["author"]["kind"] == "bot"
    sent = await client.post(
        f"/api/v1/issues/{chat.issue_id}/suggestions/{answer['id']}/send",
        headers=org.auth(org.ana),
    )
    assert sent.status_code == 201 and sent.json()["room"] == "public"

    model.answer(completion("Request: a broken zip. Tried: nothing. Open: a replacement."))
    await send(client, org.auth(org.ana), chat.issue_id, "private", "#summary")
    await settle(client)
    assert "summarize" in model.received[-1].json["messages"][1]["content"].lower()
    summary = (await private(client, org, chat.issue_id))[-1]
    assert summary["body"].startswith("Request: a broken zip.")


async def test_a_slow_or_malformed_model_is_reported_in_the_private_room(
    client: httpx.AsyncClient, db: Database, model: BotServer
) -> None:
    org = await make_org(db)
    await turn_on(client, org, model)
    chat = await start_chat(client, org)
    model.answer(lambda _: Response('{"choices": []}', media_type="application/json"))
    await send(client, org.auth(org.ana), chat.issue_id, "private", "#draft")
    await settle(client)
    notice = (await private(client, org, chat.issue_id))[-1]
    assert notice["kind"] == "event"
    assert notice["body"] == "#draft did not answer: the model's answer is not a chat completion."

    model.answer(completion("late"))
    model.slow_seconds = 4.0
    await send(client, org.auth(org.ana), chat.issue_id, "private", "#draft again")
    await settle(client)
    notice = (await private(client, org, chat.issue_id))[-1]
    assert notice["body"] == "#draft did not answer: the model gave no answer within 2 seconds."
