"""A client that reconnects in a tight loop is told to wait, in the handshake."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
import websockets
from websockets.exceptions import InvalidStatus

from tests.e2e.conftest import start_server


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
