"""SIGTERM while a Customer is sending: the server closes the stream with 1012
(service restart: reconnect, possibly elsewhere), shuts down cleanly, and every
message it acknowledged is stored; resending the rest with the same
idempotency keys stores each message exactly once."""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path

import httpx
import websockets

from tests.builders import key, make_org, start_chat
from tests.e2e.conftest import open_database, start_server
from tests.e2e.wsclient import StreamClient

SENDS = 150


async def test_sigterm_mid_stream_loses_no_acknowledged_message(
    sqlite_url: str, tmp_path: Path
) -> None:
    first = start_server(sqlite_url, tmp_path / "first.log", job_poll_seconds="86400")
    async with open_database(sqlite_url) as db:
        org = await make_org(db)
    async with httpx.AsyncClient(base_url=first.url, timeout=30) as http:
        chat = await start_chat(http, org, message="opening")
    keys = [key() for _ in range(SENDS)]
    customer = await StreamClient.open(first.ws_url, chat.token)
    acked: dict[int, str] = {}
    for n, idempotency_key in enumerate(keys):
        frame = {"type": "send", "ref": str(n), "issue_id": chat.issue_id, "room": "public"}
        await customer.send({**frame, "body": f"m{n}", "idempotency_key": idempotency_key})
    close_code = None
    try:
        while True:
            frame = await customer.receive()
            if frame["type"] == "ack":
                acked[int(frame["ref"])] = frame["message"]["id"]
                if len(acked) == 10:
                    first.process.send_signal(signal.SIGTERM)
    except websockets.ConnectionClosed as closed:
        close_code = closed.rcvd.code if closed.rcvd else None
    exit_code = await asyncio.to_thread(first.process.wait, 60)
    assert exit_code in (0, -signal.SIGTERM)
    assert "Application shutdown complete" in first.log.read_text()
    assert close_code == 1012
    assert len(acked) >= 10

    second = start_server(sqlite_url, tmp_path / "second.log", job_poll_seconds="86400")
    try:
        again = await StreamClient.open(second.ws_url, chat.token)
        stored = await again.subscribe(chat.issue_id, "public", after=0)
        stored_ids = {m["id"] for m in stored}
        assert set(acked.values()) <= stored_ids, "an acknowledged message was lost"
        for n in sorted(set(range(SENDS)) - set(acked)):
            frame = {"type": "send", "ref": str(n), "issue_id": chat.issue_id, "room": "public"}
            await again.send({**frame, "body": f"m{n}", "idempotency_key": keys[n]})
            await again.expect("ack")
        final = await StreamClient.open(second.ws_url, chat.token)
        history = await final.subscribe(chat.issue_id, "public", after=0)
        await again.close()
        await final.close()
    finally:
        second.stop()
    bodies = [m["body"] for m in history]
    assert bodies[0] == "opening"
    assert sorted(bodies[1:], key=lambda b: int(b[1:])) == [f"m{n}" for n in range(SENDS)]
    assert [m["seq"] for m in history] == list(range(1, SENDS + 2))
