from __future__ import annotations

import httpx

from caseroom.storage.uow import Database
from tests.builders import make_org, send, start_chat


async def test_customer_and_agent_talk_in_the_public_room(
    client: httpx.AsyncClient, db: Database
) -> None:
    org = await make_org(db)
    chat = await start_chat(client, org, message="My parcel is late")
    claimed = await client.post(f"/api/v1/issues/{chat.issue_id}/claim", headers=org.auth(org.ana))
    assert claimed.status_code == 200, claimed.text
    assert claimed.json()["status"] == "claimed"
    reply = await send(client, org.auth(org.ana), chat.issue_id, body="Checking now")
    assert reply.status_code == 201
    page = await client.get(
        f"/api/v1/issues/{chat.issue_id}/rooms/public/messages", headers=chat.auth
    )
    assert [m["body"] for m in page.json()["items"]] == ["My parcel is late", "Checking now"]
    assert [m["seq"] for m in page.json()["items"]] == [1, 2]
