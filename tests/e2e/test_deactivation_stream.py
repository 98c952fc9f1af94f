"""A deactivated agent's open sockets are told and closed at once, on every server
process; an agent who stays receives the Issues coming back to the queue."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
import websockets

from caseroom.storage.uow import Database
from tests.builders import make_org, start_chat
from tests.components import require_redis, unique
from tests.e2e.conftest import NO_POLL, Server, open_database, start_server
from tests.e2e.wsclient import StreamClient


async def test_deactivation_closes_the_agents_sockets(
    server: Server, server_db: Database, http: httpx.AsyncClient
) -> None:
    org = await make_org(server_db)
    chat = await start_chat(http, org)
    claimed = await http.post(f"/api/v1/issues/{chat.issue_id}/claim", headers=org.auth(org.ana))
    assert claimed.status_code == 200
    ana = await StreamClient.open(server.ws_url, org.tokens[org.ana.id])
    await ana.subscribe(chat.issue_id, "private")
    ben = await StreamClient.open(server.ws_url, org.tokens[org.ben.id])
    await ben.send({"type": "subscribe_inbox"})
    await ben.expect("subscribed_inbox")

    done = await http.post(
        f"/api/v1/admin/agents/{org.ana.id}/deactivate", headers=org.auth(org.admin)
    )
    assert done.status_code == 200, done.text

    ended = await ana.expect("session.ended")
    assert ended["payload"] == {"reason": "deactivated"}
    with pytest.raises(websockets.ConnectionClosed) as closed:
        await ana.receive()
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 4401
    # Ben sees the Issue back in the queue, and nothing about Ana's session.
    while True:
        updated = await ben.expect("issue.updated")
        if "owner_agent_id" in updated["payload"]["changes"]:
            break
    assert updated["payload"]["issue"]["status"] == "unclaimed"
    assert not any(f["type"] == "session.ended" for f in ben.frames)
    # And she cannot come back on a new socket.
    with pytest.raises(websockets.ConnectionClosed) as refused:
        again = await StreamClient.open(server.ws_url, org.tokens[org.ana.id])
        await again.receive()
    assert refused.value.rcvd is not None and refused.value.rcvd.code == 4401
    await ben.close()


async def test_deactivating_from_the_shell_reaches_the_servers_through_redis(
    sqlite_url: str, tmp_path: Path
) -> None:
    """With Redis as the broker, `caseroom agent deactivate` in a shell closes the
    agent's sockets on the running server as the admin API does."""
    broker = {"broker_url": require_redis(), "broker_prefix": unique("deskcli:") + ":"}
    server = start_server(sqlite_url, tmp_path / "server.log", **NO_POLL, **broker)
    try:
        async with open_database(sqlite_url) as db:
            org = await make_org(db)
        ana = await StreamClient.open(server.ws_url, org.tokens[org.ana.id])
        env = {f"CASEROOM_{key.upper()}": value for key, value in broker.items()}
        command = [
            str(Path(sys.executable).with_name("caseroom")), "agent", "deactivate",
            "--database-url", sqlite_url, "--org", org.slug, "--email", org.ana.email,
        ]  # fmt: skip
        done = await asyncio.to_thread(
            subprocess.run, command, capture_output=True, text=True, env={**os.environ, **env}
        )
        assert done.returncode == 0, done.stderr
        ended = await ana.expect("session.ended")
        assert ended["payload"] == {"reason": "deactivated"}
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await ana.receive()
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 4401
    finally:
        server.stop()
