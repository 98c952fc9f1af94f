"""REST, multipart upload and the websocket send through one path: against a
running server, each stores the same kind of message (next sequence number,
chat, the Customer as author, one event to the agent following the room), and
each answers a retry with the original."""

from __future__ import annotations

from typing import Any

import httpx

from caseroom.storage.uow import Database
from tests.builders import key, make_org, send, start_chat, upload
from tests.e2e.conftest import Server
from tests.e2e.wsclient import StreamClient


def stored_shape(message: dict[str, Any]) -> tuple[object, ...]:
    author = message["author"]
    return (message["room"], message["kind"], message["channel"], author["kind"], author["id"])


async def test_rest_upload_and_websocket_sends_store_and_announce_alike(
    server: Server, server_db: Database, http: httpx.AsyncClient
) -> None:
    org = await make_org(server_db)
    chat = await start_chat(http, org, message="opening")
    agent = await StreamClient.open(server.ws_url, org.tokens[org.ana.id])
    await agent.subscribe(chat.issue_id, "public", after=1)
    customer = await StreamClient.open(server.ws_url, chat.token)

    rest_key, upload_key, ws_key = key(), key(), key()
    by_rest = await send(http, chat.auth, chat.issue_id, body="by rest", idempotency_key=rest_key)
    by_upload = await upload(
        http, chat.auth, chat.issue_id, [("a.txt", b"file")], body="by upload",
        idempotency_key=upload_key,
    )  # fmt: skip
    frame = {"type": "send", "issue_id": chat.issue_id, "room": "public", "body": "by socket"}
    await customer.send({**frame, "idempotency_key": ws_key, "ref": "1"})
    by_socket = (await customer.expect("ack"))["message"]
    assert (by_rest.status_code, by_upload.status_code) == (201, 201)

    sent = [by_rest.json(), by_upload.json(), by_socket]
    assert [m["seq"] for m in sent] == [2, 3, 4]
    assert {stored_shape(m) for m in sent} == {
        ("public", "message", "chat", "customer", chat.customer_id)
    }
    announced = await agent.messages(3)
    assert [m["id"] for m in announced] == [m["id"] for m in sent]
    page = await http.get(
        f"/api/v1/issues/{chat.issue_id}/rooms/public/messages", headers=org.auth(org.ana)
    )
    stored = {m["id"]: m for m in page.json()["items"]}
    for message in sent:
        assert stored_shape(stored[message["id"]]) == stored_shape(message)
        assert stored[message["id"]]["body"] == message["body"]

    # Each path answers its retry with the original, and stores nothing more.
    again_rest = await send(
        http, chat.auth, chat.issue_id, body="by rest", idempotency_key=rest_key
    )
    again_upload = await upload(
        http, chat.auth, chat.issue_id, [("a.txt", b"file")], body="by upload",
        idempotency_key=upload_key,
    )  # fmt: skip
    await customer.send({**frame, "idempotency_key": ws_key, "ref": "2"})
    again_socket = (await customer.expect("ack"))["message"]
    assert (again_rest.status_code, again_upload.status_code) == (200, 200)
    assert [again_rest.json()["id"], again_upload.json()["id"], again_socket["id"]] == [
        m["id"] for m in sent
    ]
    after = await http.get(
        f"/api/v1/issues/{chat.issue_id}/rooms/public/messages", headers=org.auth(org.ana)
    )
    assert len(after.json()["items"]) == 4
    await customer.close()
    await agent.close()
