"""Video call signaling on the real event stream: who may join and signal which
call, what a refusal reveals (nothing), limits on signaling frames, and the
call's record in the timeline."""

from __future__ import annotations

from typing import Any

import httpx

from caseroom.storage.uow import Database
from tests.builders import Org, make_org, start_chat
from tests.e2e.conftest import Server
from tests.e2e.wsclient import StreamClient


async def video_on(http: httpx.AsyncClient, org: Org, **config: str) -> None:
    """The organization turns video calls on (no STUN or TURN: host candidates)."""
    response = await http.put(
        "/api/v1/settings/channels/video",
        json={"enabled": True, "config": config},
        headers=org.auth(org.admin),
    )
    assert response.status_code == 200, response.text


OFFER = {"kind": "offer", "sdp": "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n"}


async def answer(client: StreamClient, frame: dict[str, Any]) -> dict[str, Any]:
    """Send a frame with a ref and return the reply that carries the same ref."""
    ref = f"r{len(client.frames)}-{frame['type']}"
    await client.send({**frame, "ref": ref})
    while True:
        received = await client.receive()
        if received.get("ref") == ref:
            return received


def refusal(frame: dict[str, Any]) -> dict[str, Any]:
    assert frame["type"] == "error", frame
    problem: dict[str, Any] = frame["problem"]
    return problem


async def test_who_may_join_and_signal_a_call_and_what_a_refusal_reveals(
    web_server: Server, web_db: Database, web_http: httpx.AsyncClient
) -> None:
    org = await make_org(web_db)
    await video_on(web_http, org)
    mine = await start_chat(web_http, org, name="Casey Customer")
    other = await start_chat(web_http, org, name="Olive Other")
    # Unbounded queues: these clients leave hundreds of frames unread.
    ana = await StreamClient.open(web_server.ws_url, org.tokens[org.ana.id], max_queue=None)
    casey = await StreamClient.open(web_server.ws_url, mine.token, max_queue=None)
    olive = await StreamClient.open(web_server.ws_url, other.token)
    await casey.subscribe(mine.issue_id, "public")

    started = await answer(ana, {"type": "call.start", "issue_id": mine.issue_id, "room": "public"})
    assert started["type"] == "call.started", started
    call_id, ana_conn = started["call"]["id"], started["connection_id"]
    ringing = await casey.expect("call.updated")
    assert ringing["payload"]["call"]["state"] == "ringing"
    private = await answer(
        ana, {"type": "call.start", "issue_id": mine.issue_id, "room": "private"}
    )
    private_id = private["call"]["id"]

    # A forged id is refused; so, with the very same answer, are another Issue's
    # call, a private-room call, and signaling into a call one is not in.
    forged = refusal(await answer(casey, {"type": "call.accept", "call_id": "0" * 26}))
    assert forged["status"] == 404 and forged["detail"] == "no such call"
    refused = [
        await answer(olive, {"type": "call.accept", "call_id": call_id}),
        await answer(olive, {"type": "call.decline", "call_id": call_id}),
        await answer(casey, {"type": "call.accept", "call_id": private_id}),
        await answer(casey, {"type": "call.leave", "call_id": private_id}),
        await answer(
            olive, {"type": "call.signal", "call_id": call_id, "to": ana_conn, "signal": OFFER}
        ),
        await answer(
            casey, {"type": "call.signal", "call_id": call_id, "to": ana_conn, "signal": OFFER}
        ),
    ]
    assert [refusal(r) for r in refused] == [forged] * len(refused)

    # Casey joins their own call and the two can address each other, no one else.
    joined = await answer(casey, {"type": "call.accept", "call_id": call_id})
    assert joined["type"] == "call.joined" and joined["call"]["state"] == "active"
    casey_conn = joined["connection_id"]
    await ana.send({"type": "call.signal", "call_id": call_id, "to": casey_conn, "signal": OFFER})
    signal = await casey.expect("call.signal")
    assert signal["payload"]["from"] == ana_conn and signal["payload"]["signal"] == OFFER
    olive_hello = await answer(olive, {"type": "ping"})
    assert olive_hello["type"] == "pong"
    assert not [f for f in olive.frames if f["type"].startswith("call.")]
    to_stranger = {"type": "call.signal", "call_id": call_id, "to": "someone-else", "signal": OFFER}
    assert refusal(await answer(casey, to_stranger)) == forged
    # Casey never heard of the private-room call.
    assert private_id not in str(casey.frames)

    # Signaling frames are bounded in size and in rate.
    huge = {"kind": "offer", "sdp": "a" * 70_000}
    too_big = {"type": "call.signal", "call_id": call_id, "to": ana_conn, "signal": huge}
    assert refusal(await answer(casey, too_big))["status"] == 422
    line = "candidate:1 1 udp 1 127.0.0.1 9 typ host"
    candidate = {"kind": "candidate", "candidate": {"candidate": line}}
    burst = {"type": "call.signal", "call_id": call_id, "to": ana_conn, "signal": candidate}
    for _ in range(250):
        await casey.send(burst)
    limited = await casey.expect("error")
    assert limited["problem"]["status"] == 409 and "signaling" in limited["problem"]["detail"]

    for client in (ana, casey, olive):
        await client.close()


async def test_a_declined_call_and_a_completed_one_are_in_the_timeline(
    web_server: Server, web_db: Database, web_http: httpx.AsyncClient
) -> None:
    org = await make_org(web_db)
    await video_on(web_http, org)
    chat = await start_chat(web_http, org, name="Casey Customer")
    ana = await StreamClient.open(web_server.ws_url, org.tokens[org.ana.id])
    casey = await StreamClient.open(web_server.ws_url, chat.token)
    await ana.subscribe(chat.issue_id, "public")
    start = {"type": "call.start", "issue_id": chat.issue_id, "room": "public"}

    declined = (await answer(ana, start))["call"]["id"]
    assert (await answer(casey, {"type": "call.decline", "call_id": declined}))["type"] == (
        "call.declined"
    )
    completed = (await answer(ana, start))["call"]["id"]
    await answer(casey, {"type": "call.accept", "call_id": completed})
    await answer(casey, {"type": "call.leave", "call_id": completed})  # hangs up: it ends
    while (await ana.expect("call.updated"))["payload"]["call"]["state"] != "ended":
        pass

    calls = await web_http.get(f"/api/v1/issues/{chat.issue_id}/calls", headers=chat.auth)
    await ana.close()
    await casey.close()
    by_id = {c["id"]: c for c in calls.json()}
    assert by_id[declined]["ended_reason"] == "declined"
    assert by_id[completed]["state"] == "ended" and by_id[completed]["ended_reason"] == "completed"
    assert [p["who"]["name"] for p in by_id[completed]["participants"]] == [
        "Ana Agent",
        "Casey Customer",
    ]
    page = await web_http.get(
        f"/api/v1/issues/{chat.issue_id}/rooms/public/messages", headers=chat.auth
    )
    lines = [m["body"] for m in page.json()["items"] if m["channel"] == "video"]
    assert lines[:3] == [
        "Video call started by Ana Agent",
        "Casey Customer declined the video call",
        "Video call started by Ana Agent",
    ]
    assert lines[3] == "Casey Customer joined the video call"
    assert lines[4].startswith("Video call ended · ")
