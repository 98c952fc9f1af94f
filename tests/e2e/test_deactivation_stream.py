"""A deactivated agent's open sockets are told and closed at once, on every server
process; an agent who stays receives the Issues coming back to the queue."""

from __future__ import annotations

import httpx
import pytest
import websockets

from caseroom.storage.uow import Database
from tests.builders import make_org, start_chat
from tests.e2e.conftest import Server
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
