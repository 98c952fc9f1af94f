"""A client that reconnects in a tight loop is told to wait, in the handshake; one
that sends oversized frames or floods its socket has those frames refused."""

from __future__ import annotations

from pathlib import Path

import httpx
import orjson
import pytest
import websockets
from websockets.exceptions import InvalidStatus

from tests.builders import key, make_org, start_chat
from tests.e2e.conftest import open_database, start_server
from tests.e2e.wsclient import StreamClient


async def test_reconnecting_in_a_loop_gets_a_429_problem(sqlite_url: str, tmp_path: Path) -> None:
    server = start_server(
        sqlite_url,
        tmp_path / "server.log",
        limits_enabled="true",
        limit_websocket_connects="3/minute",
        job_poll_seconds="86400",
    )
    try:
        for _ in range(3):
            async with websockets.connect(server.ws_url) as ws:
                await ws.close()
        with pytest.raises(InvalidStatus) as refused:
            async with websockets.connect(server.ws_url):
                pass
    finally:
        server.stop()
    response = refused.value.response
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) >= 1
    assert orjson.loads(response.body)["type"].endswith("/rate-limited")


async def test_oversized_and_flooding_frames_are_refused_and_the_socket_stays_useful(
    sqlite_url: str, tmp_path: Path
) -> None:
    server = start_server(
        sqlite_url,
        tmp_path / "server.log",
        limits_enabled="true",
        limit_websocket_frames="5/minute",
        ws_max_frame_bytes="4096",
        job_poll_seconds="86400",
    )
    try:
        async with open_database(sqlite_url) as db:
            org = await make_org(db)
        async with httpx.AsyncClient(base_url=server.url) as http:
            chat = await start_chat(http, org, message="opening")
        customer = await StreamClient.open(server.ws_url, chat.token)
        send = {"type": "send", "issue_id": chat.issue_id, "room": "public"}
        await customer.send({**send, "ref": "big", "body": "x" * 5000, "idempotency_key": key()})
        too_big = await customer.expect("error")
        assert too_big["ref"] is None and too_big["problem"]["type"].endswith("/too-large")
        assert too_big["problem"]["limit"] == 4096
        for n in range(5):  # an oversized frame is not counted: these five are handled
            await customer.send({"type": "ping", "ref": f"p{n}"})
            assert (await customer.expect("pong"))["ref"] == f"p{n}"
        await customer.send({**send, "ref": "late", "body": "hi", "idempotency_key": key()})
        refused = await customer.expect("error")
        assert refused["ref"] == "late"
        assert refused["problem"]["type"].endswith("/rate-limited")
        assert refused["problem"]["status"] == 429
        assert refused["problem"]["retry_after"] >= 1
        await customer.close()
        async with httpx.AsyncClient(base_url=server.url) as http:
            page = await http.get(
                f"/api/v1/issues/{chat.issue_id}/rooms/public/messages", headers=chat.auth
            )
        assert [m["body"] for m in page.json()["items"]] == ["opening"]  # nothing was sent
    finally:
        server.stop()
