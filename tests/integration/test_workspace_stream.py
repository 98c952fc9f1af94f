"""The workspace over a real websocket: a colleague viewing the same Issue is
announced to agents only, and every public message moves the inbox card."""

from __future__ import annotations

from typing import Any

from caseroom.storage.uow import Database
from tests.builders import make_org, send, start_chat
from tests.integration.test_tools_stream import Socket, client, live  # noqa: F401


async def _presence_of(socket: Socket, agent_id: str) -> dict[str, Any]:
    """The next presence frame about `agent_id` (one's own are announced too)."""
    while True:
        frame = await socket.expect("agent.presence")
        if frame["payload"]["agent"]["id"] == agent_id:
            return frame


async def test_colleagues_see_each_other_viewing_and_cards_follow_every_message(
    live: str,  # noqa: F811
    db: Database,
) -> None:
    org = await make_org(db)
    async with client(live) as http:
        chat = await start_chat(http, org)
        availability = f"/api/v1/organizations/{org.slug}/availability"
        assert (await http.get(availability)).json() == {"state": "away"}
        ana = await Socket.open(live, org.tokens[org.ana.id])
        await ana.send({"type": "subscribe_inbox"})
        await ana.expect("subscribed_inbox")
        await ana.subscribe(chat.issue_id, "public")
        customer = await Socket.open(live, chat.token)
        await customer.subscribe(chat.issue_id, "public")

        ben = await Socket.open(live, org.tokens[org.ben.id])
        await ben.subscribe(chat.issue_id, "public")
        seen = await _presence_of(ana, org.ben.id)
        assert seen["payload"]["agent"] == {"id": org.ben.id, "name": org.ben.name}
        assert seen["payload"]["state"] == "viewing"
        await ben.send({"type": "unsubscribe", "issue_id": chat.issue_id})
        gone = await _presence_of(ana, org.ben.id)
        assert (gone["payload"]["agent"]["id"], gone["payload"]["state"]) == (org.ben.id, "left")

        # A second message while the Customer already waits still updates the card.
        again = await send(http, chat.auth, chat.issue_id, body="Anyone?")
        assert again.status_code == 201
        while True:
            update = await ana.expect("issue.updated")
            if "last_seq" in update["payload"]["changes"]:
                break
        assert update["payload"]["issue"]["last_seq"]["public"] == again.json()["seq"]

        # Ana's console is connected: the widget shows the desk online.
        assert (await http.get(availability)).json() == {"state": "online"}

        # The Customer heard neither colleague's presence.
        await customer.send({"type": "ping", "ref": "p"})
        await customer.expect("pong")
        assert "agent.presence" not in customer.types()
        for socket in (ana, ben, customer):
            await socket.connection.close()
