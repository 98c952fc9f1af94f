"""The event stream against a real server: resume without loss or duplicates,
idempotent sends, gapless sequences, and nothing private reaching a Customer."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import httpx
import pytest

from caseroom.storage.uow import Database
from tests.builders import key, make_org, send, start_chat
from tests.e2e.conftest import Server, open_database, start_server
from tests.e2e.wsclient import StalledReader, StreamClient, StreamError


async def test_a_client_that_misses_100_messages_gets_exactly_those_in_order(
    server: Server, server_db: Database, http: httpx.AsyncClient
) -> None:
    org = await make_org(server_db)
    chat = await start_chat(http, org, message="opening")
    agent = await StreamClient.open(server.ws_url, org.tokens[org.ana.id])
    await agent.subscribe(chat.issue_id, "public", after=0)
    last_seen = 1
    await agent.close()  # the agent's connection drops

    for n in range(100):
        response = await send(http, chat.auth, chat.issue_id, body=f"missed {n}")
        assert response.status_code == 201

    agent = await StreamClient.open(server.ws_url, org.tokens[org.ana.id])
    replayed = await agent.subscribe(chat.issue_id, "public", after=last_seen)
    assert [m["body"] for m in replayed] == [f"missed {n}" for n in range(100)]
    assert [m["seq"] for m in replayed] == list(range(2, 102))

    live = await send(http, chat.auth, chat.issue_id, body="live again")
    (message,) = await agent.messages(1)
    assert message["id"] == live.json()["id"] and message["seq"] == 102
    await agent.close()


async def test_messages_sent_during_the_replay_are_neither_lost_nor_doubled(
    server: Server, server_db: Database, http: httpx.AsyncClient
) -> None:
    org = await make_org(server_db)
    chat = await start_chat(http, org, message="opening")
    for n in range(300):
        await send(http, chat.auth, chat.issue_id, body=f"before {n}")
    agent = await StreamClient.open(server.ws_url, org.tokens[org.ana.id])

    async def keep_sending() -> None:
        for n in range(50):
            await send(http, chat.auth, chat.issue_id, body=f"during {n}")

    sender = asyncio.create_task(keep_sending())
    replayed = await agent.subscribe(chat.issue_id, "public", after=0)
    await sender
    seen = replayed + await agent.messages(351 - len(replayed))
    assert [m["seq"] for m in seen] == list(range(1, 352))
    await agent.close()


async def test_a_retried_websocket_send_yields_one_message(
    server: Server, server_db: Database, http: httpx.AsyncClient
) -> None:
    org = await make_org(server_db)
    chat = await start_chat(http, org)
    customer = await StreamClient.open(server.ws_url, chat.token)
    frame = {
        "type": "send",
        "issue_id": chat.issue_id,
        "room": "public",
        "body": "are you there?",
        "idempotency_key": key(),
    }
    await customer.send({**frame, "ref": "first"})
    first = await customer.expect("ack")
    await customer.send({**frame, "ref": "retry"})
    retry = await customer.expect("ack")
    assert retry["message"]["id"] == first["message"]["id"]
    page = await http.get(
        f"/api/v1/issues/{chat.issue_id}/rooms/public/messages", headers=chat.auth
    )
    assert [m["body"] for m in page.json()["items"]].count("are you there?") == 1
    await customer.close()


async def test_ten_concurrent_senders_produce_a_gapless_sequence(
    server: Server, server_db: Database, http: httpx.AsyncClient
) -> None:
    org = await make_org(server_db)
    chat = await start_chat(http, org)
    watcher = await StreamClient.open(server.ws_url, org.tokens[org.ben.id])
    await watcher.subscribe(chat.issue_id, "public", after=1)
    senders = [org.auth(org.ana), org.auth(org.ben), chat.auth] * 4

    async def sender(n: int) -> None:
        for i in range(10):
            response = await send(http, senders[n], chat.issue_id, body=f"{n}-{i}")
            assert response.status_code == 201

    await asyncio.gather(*(sender(n) for n in range(10)))
    live = await watcher.messages(100)
    assert [m["seq"] for m in live] == list(range(2, 102))
    page = await http.get(
        f"/api/v1/issues/{chat.issue_id}/rooms/public/messages?after=0&limit=200", headers=chat.auth
    )
    assert [m["seq"] for m in page.json()["items"]] == list(range(1, 102))
    await watcher.close()


async def test_a_customer_socket_receives_nothing_private(
    server: Server, server_db: Database, http: httpx.AsyncClient
) -> None:
    org = await make_org(server_db)
    chat = await start_chat(http, org)
    other = await start_chat(http, org)
    customer = await StreamClient.open(server.ws_url, chat.token)
    await customer.subscribe(chat.issue_id, "public", after=0)
    with pytest.raises(StreamError) as refused:
        await customer.subscribe(chat.issue_id, "private", after=0)
    assert refused.value.problem["status"] == 404
    with pytest.raises(StreamError):
        await customer.subscribe(other.issue_id, "public", after=0)
    await customer.send({"type": "subscribe_inbox"})
    assert (await customer.expect("error"))["problem"]["status"] == 403

    ana = org.auth(org.ana)
    await http.post(f"/api/v1/issues/{chat.issue_id}/claim", headers=ana)
    await send(http, ana, chat.issue_id, room="private", body="SECRET private chatter")
    await send(http, ana, chat.issue_id, room="public", kind="note", body="SECRET public note")
    await send(http, ana, other.issue_id, body="SECRET for another customer")
    await send(http, ana, chat.issue_id, body="Hello from Ana")
    (message,) = await customer.messages(1)
    assert message["body"] == "Hello from Ana"
    await customer.close()
    received = json.dumps(customer.frames)
    assert "SECRET" not in received
    assert "owner_agent_id" not in received and "watcher_ids" not in received


async def test_a_resolution_before_the_customer_follows_is_in_the_subscription(
    server: Server, server_db: Database, http: httpx.AsyncClient
) -> None:
    """A status change has no sequence number to replay: a page that starts
    following afterwards learns it from `subscribed`, or would never ask for a rating."""
    org = await make_org(server_db)
    chat = await start_chat(http, org)
    customer = await StreamClient.open(server.ws_url, chat.token)
    await customer.subscribe(chat.issue_id, "public")
    assert customer.frames[-1]["issue_status"] == "unclaimed"
    await customer.close()

    ana = org.auth(org.ana)
    await http.post(f"/api/v1/issues/{chat.issue_id}/claim", headers=ana)
    assert (await http.post(f"/api/v1/issues/{chat.issue_id}/resolve", headers=ana)).is_success
    customer = await StreamClient.open(server.ws_url, chat.token)
    await customer.subscribe(chat.issue_id, "public")
    assert customer.frames[-1]["issue_status"] == "resolved"
    await customer.close()


async def test_sockets_refuse_bad_tokens_and_other_tenants(
    server: Server, server_db: Database, http: httpx.AsyncClient
) -> None:
    org, other = await make_org(server_db), await make_org(server_db)
    chat = await start_chat(http, org)
    with pytest.raises(Exception) as closed:
        client = await StreamClient.open(server.ws_url, "crs_forged")
        await client.receive()
    assert "4401" in str(closed.value)
    stranger = await StreamClient.open(server.ws_url, other.tokens[other.ana.id])
    with pytest.raises(StreamError) as refused:
        await stranger.subscribe(chat.issue_id, "public", after=0)
    assert refused.value.problem["status"] == 404
    await stranger.send(
        {"type": "subscribe", "issue_id": chat.issue_id, "room": "public", "after": -3}
    )
    error = await stranger.expect("error")
    assert error["problem"]["status"] == 422
    await stranger.close()


async def test_a_subscription_beyond_the_last_seq_fails_loudly(
    server: Server, server_db: Database, http: httpx.AsyncClient
) -> None:
    org = await make_org(server_db)
    chat = await start_chat(http, org)
    agent = await StreamClient.open(server.ws_url, org.tokens[org.ana.id])
    with pytest.raises(StreamError) as refused:
        await agent.subscribe(chat.issue_id, "public", after=50)
    assert refused.value.problem["last_seq"] == 1
    await agent.close()


async def test_an_inbox_sees_issues_arrive_and_change(
    server: Server, server_db: Database, http: httpx.AsyncClient
) -> None:
    org = await make_org(server_db)
    inbox = await StreamClient.open(server.ws_url, org.tokens[org.ben.id])
    await inbox.send({"type": "subscribe_inbox"})
    await inbox.expect("subscribed_inbox")
    chat = await start_chat(http, org)
    created = await inbox.expect("issue.created")
    assert created["payload"]["issue"]["id"] == chat.issue_id
    await http.post(f"/api/v1/issues/{chat.issue_id}/claim", headers=org.auth(org.ana))
    while True:
        updated = await inbox.expect("issue.updated")
        if "status" in updated["payload"]["changes"]:
            break
    assert updated["payload"]["issue"]["owner_agent_id"] == org.ana.id
    await inbox.close()


async def test_a_slow_consumer_is_disconnected_with_a_resume_hint(
    sqlite_url: str, tmp_path: Path
) -> None:
    """A reader that stops reading must not make the server buffer without bound:
    it is cut off with close code 4008 and told how to resume."""
    slow = start_server(sqlite_url, tmp_path / "slow.log", ws_queue_max="4")
    try:
        async with open_database(sqlite_url) as db:
            org = await make_org(db)
        async with httpx.AsyncClient(base_url=slow.url, timeout=30) as http:
            chat = await start_chat(http, org)
            reader = StalledReader(slow.ws_url)
            reader.send({"type": "hello", "token": org.tokens[org.ana.id]})
            reader.send({"type": "subscribe", "issue_id": chat.issue_id, "room": "public"})
            big, sent = "x" * 19_000, 400
            for _ in range(sent):
                await send(http, chat.auth, chat.issue_id, body=big)
            received, close = await asyncio.to_thread(reader.read_until_closed, sent)
            assert close is not None, f"still connected after {received} messages"
            assert close.code == 4008 and "after" in close.reason
            assert received < sent
    finally:
        slow.stop()


async def test_a_client_cannot_flood_the_server_with_sends(sqlite_url: str, tmp_path: Path) -> None:
    """Sends waiting for their ack are capped per socket; the rest are refused with
    a problem the client can act on (retry with the same key), and nothing doubles."""
    capped = start_server(sqlite_url, tmp_path / "capped.log", ws_max_sends_in_flight="2")
    try:
        async with open_database(sqlite_url) as db:
            org = await make_org(db)
        async with httpx.AsyncClient(base_url=capped.url, timeout=30) as http:
            chat = await start_chat(http, org)
            client = await StreamClient.open(capped.ws_url, chat.token)
            keys = [key() for _ in range(30)]
            for n, idempotency_key in enumerate(keys):
                await client.send(
                    {
                        "type": "send",
                        "ref": str(n),
                        "issue_id": chat.issue_id,
                        "room": "public",
                        "body": f"flood {n}",
                        "idempotency_key": idempotency_key,
                    }
                )
            answers: dict[str, dict] = {}  # type: ignore[type-arg]
            while len(answers) < len(keys):
                frame = await client.receive()
                if frame["type"] in ("ack", "error") and frame.get("ref") is not None:
                    answers[frame["ref"]] = frame
            refused = [f for f in answers.values() if f["type"] == "error"]
            assert refused, "30 sends at once all went through a cap of 2"
            assert all(f["problem"]["limit"] == 2 for f in refused)
            assert all(f["problem"]["type"].endswith("/limit-reached") for f in refused)
            acked = sorted(int(ref) for ref, f in answers.items() if f["type"] == "ack")
            page = await http.get(
                f"/api/v1/issues/{chat.issue_id}/rooms/public/messages?after=1&limit=100",
                headers=chat.auth,
            )
            assert [m["body"] for m in page.json()["items"]] == [f"flood {n}" for n in acked]
            await client.close()
    finally:
        capped.stop()


async def test_a_send_is_acknowledged_after_its_own_message_arrives(
    server: Server, server_db: Database, http: httpx.AsyncClient
) -> None:
    org = await make_org(server_db)
    chat = await start_chat(http, org)
    customer = await StreamClient.open(server.ws_url, chat.token)
    await customer.subscribe(chat.issue_id, "public")
    for n in range(20):
        await customer.send(
            {
                "type": "send",
                "ref": str(n),
                "issue_id": chat.issue_id,
                "room": "public",
                "body": f"hello {n}",
                "idempotency_key": key(),
            }
        )
    acks = [await customer.expect("ack") for _ in range(20)]

    # Each message arrives once, before the ack of the send that made it.
    created_at = {}
    for index, frame in enumerate(customer.frames):
        if frame["type"] == "message.created":
            message_id = frame["payload"]["message"]["id"]
            assert message_id not in created_at
            created_at[message_id] = index
    for ack in acks:
        ack_at = next(i for i, f in enumerate(customer.frames) if f is ack)
        assert created_at[ack["message"]["id"]] < ack_at
    arrived = [f for f in customer.frames if f["type"] == "message.created"]
    assert len(arrived) == 20
    await customer.close()


async def test_a_malformed_frame_is_answered_with_what_is_wrong(
    server: Server, server_db: Database, http: httpx.AsyncClient
) -> None:
    org = await make_org(server_db)
    agent = await StreamClient.open(server.ws_url, org.tokens[org.ana.id])
    answers = {}
    for ref, frame in {
        "a": {"type": "subscribe", "room": "public"},
        "b": {"type": "send", "issue_id": "x"},
        "c": {"type": "dance"},
        "d": {"type": "ping", "issue_id": "x"},
    }.items():
        await agent.send({**frame, "ref": ref})
        answers[ref] = await agent.expect("error")
    await agent.send({"type": "ping", "ref": "still here"})
    pong = await agent.expect("pong")

    assert {ref: a["ref"] for ref, a in answers.items()} == {r: r for r in "abcd"}
    details = {ref: a["problem"]["detail"] for ref, a in answers.items()}
    assert details == {
        "a": "subscribe needs issue_id",
        "b": "send needs room, body and idempotency_key",
        "c": "unknown frame type 'dance'",
        "d": "bad frame: ping has no field 'issue_id'",
    }
    assert all(a["problem"]["type"].endswith("invalid-input") for a in answers.values())
    assert pong["ref"] == "still here"
    await agent.close()
