"""The agent tools over a real websocket (uvicorn in this process, on a free port):
mentions arrive live, note changes reach agents only, redactions reach everyone."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import uvicorn
import websockets

from caseroom.app import create_app
from caseroom.config import Settings
from caseroom.storage.uow import Database
from tests.builders import make_org, note, send, start_chat
from tests.components import free_port

GUARD = 15.0  # against hanging only; never what a test asserts


def client(base: str) -> httpx.AsyncClient:
    """HTTP to the live app. It shares this process, and its job worker may be
    rendering transcripts left by earlier tests (the database is shared), so a
    request can take longer than httpx's default five seconds on a busy machine."""
    return httpx.AsyncClient(base_url=base, timeout=GUARD)


@pytest.fixture
async def live(settings: Settings) -> AsyncIterator[str]:
    """The app served by uvicorn on 127.0.0.1; yields its base URL."""
    port = free_port()
    config = uvicorn.Config(
        create_app(settings), host="127.0.0.1", port=port, log_level="warning", lifespan="on"
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.01)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    await asyncio.wait_for(task, GUARD)


class Socket:
    def __init__(self, connection: websockets.ClientConnection) -> None:
        self.connection = connection
        self.frames: list[dict[str, Any]] = []

    @classmethod
    async def open(cls, base: str, token: str) -> Socket:
        url = base.replace("http://", "ws://") + "/api/v1/stream"
        socket = cls(await websockets.connect(url))
        await socket.send({"type": "hello", "token": token})
        await socket.expect("ready")
        return socket

    async def send(self, frame: dict[str, Any]) -> None:
        await self.connection.send(json.dumps(frame))

    async def expect(self, frame_type: str) -> dict[str, Any]:
        while True:
            frame = json.loads(await asyncio.wait_for(self.connection.recv(), GUARD))
            self.frames.append(frame)
            if frame["type"] == frame_type:
                return frame

    async def subscribe(self, issue_id: str, room: str) -> None:
        await self.send({"type": "subscribe", "issue_id": issue_id, "room": room})
        await self.expect("subscribed")

    def types(self) -> list[str]:
        return [f["type"] for f in self.frames]


async def test_a_mention_notifies_and_adds_a_watcher_live(live: str, db: Database) -> None:
    org = await make_org(db)
    async with client(live) as http:
        chat = await start_chat(http, org)
        ben = await Socket.open(live, org.tokens[org.ben.id])
        await ben.send({"type": "subscribe_inbox"})
        await ben.expect("subscribed_inbox")
        ana = await Socket.open(live, org.tokens[org.ana.id])  # must not hear Ben's news

        sent = await send(http, org.auth(org.ana), chat.issue_id, "private", "@[Ben Agent] look")
        assert sent.status_code == 201

        notified = await ben.expect("notification.created")
        payload = notified["payload"]["notification"]
        assert payload["kind"] == "mention" and payload["issue_id"] == chat.issue_id
        assert payload["message"]["body"] == "@[Ben Agent] look"
        assert notified["recipient_id"] == org.ben.id
        watching = [
            f
            for f in ben.frames
            if f["type"] == "issue.updated" and org.ben.id in f["payload"]["issue"]["watcher_ids"]
        ]
        assert watching, "the watcher change arrives with (before) the notification"

        # Ana's socket carries on: a ping round trip proves her queue is drained.
        await ana.send({"type": "ping", "ref": "p"})
        await ana.expect("pong")
        assert "notification.created" not in ana.types()
        for socket in (ben, ana):
            await socket.connection.close()


async def test_note_changes_reach_agents_and_redactions_reach_the_customer(
    live: str, db: Database
) -> None:
    org = await make_org(db)
    card = "4111 1111 1111 1111"
    async with client(live) as http:
        chat = await start_chat(http, org, message="hello")
        customer = await Socket.open(live, chat.token)
        await customer.subscribe(chat.issue_id, "public")
        agent = await Socket.open(live, org.tokens[org.ben.id])
        await agent.subscribe(chat.issue_id, "public")

        written = await note(http, org.auth(org.ana), chat.issue_id, "internal: refund", "public")
        url = f"/api/v1/issues/{chat.issue_id}/messages/{written['id']}"
        edited = await http.patch(
            url, json={"body": "internal: no refund"}, headers=org.auth(org.ana)
        )
        assert edited.status_code == 200
        assert (await http.delete(url, headers=org.auth(org.ana))).status_code == 204
        secret = await send(http, chat.auth, chat.issue_id, body=f"card {card}")
        redacted = await http.post(
            f"/api/v1/issues/{chat.issue_id}/messages/{secret.json()['id']}/redact",
            json={},
            headers=org.auth(org.ben),
        )
        assert redacted.status_code == 200

        update = await agent.expect("message.updated")
        assert update["payload"]["message"]["body"] == "internal: no refund"
        assert update["payload"]["message"]["edited_at"]
        deleted = await agent.expect("message.deleted")
        assert deleted["payload"]["message"]["id"] == written["id"]
        assert (await agent.expect("message.redacted"))["payload"]["message"]["body"] == (
            "card [redacted]"
        )

        # Events reach a socket in commit order: by the redaction, the customer
        # would have had the note's events already, had they been sent.
        seen = await customer.expect("message.redacted")
        assert seen["payload"]["message"]["body"] == "card [redacted]"
        assert "change_seq" not in seen["payload"]["message"]
        assert "message.updated" not in customer.types()
        assert "message.deleted" not in customer.types()
        assert "internal" not in json.dumps(customer.frames)
        for socket in (customer, agent):
            await socket.connection.close()
