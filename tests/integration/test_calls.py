"""A call's record in the database: the ringing timeout is a durable job that
ends an unanswered call as missed even when no process keeps a timer for it."""

from __future__ import annotations

from datetime import timedelta

import httpx

from caseroom.domain.calls import CallState, EndReason
from caseroom.domain.model import Room
from caseroom.services import calls
from caseroom.storage.uow import UnitOfWork
from caseroom.web.context import AppContext
from tests.builders import make_org, start_chat
from tests.e2e.test_call_signaling import video_on


async def test_an_unanswered_call_rings_out_through_its_job(client: httpx.AsyncClient) -> None:
    context: AppContext = client.app.state.context  # type: ignore[attr-defined]
    org = await make_org(context.db)
    await video_on(client, org)
    chat = await start_chat(client, org)
    limits = calls.CallLimits(timedelta(0), 4, timedelta(hours=1))

    async def start(uow: UnitOfWork) -> calls.Joined:
        return await calls.start_call(
            org.principal(org.ana), uow, chat.issue_id, Room.PUBLIC, "conn-1", limits
        )

    started = await context.db.run(start)  # no timer: only the job can end it
    assert started.ice_servers == []  # video on, no STUN or TURN set up
    await context.worker.settle()

    async def record(uow: UnitOfWork) -> list[calls.Call]:
        return await calls.issue_calls(org.principal(org.ana), uow, chat.issue_id)

    (call,) = await context.db.read(record)
    assert call.state is CallState.ENDED and call.ended_reason is EndReason.MISSED
    page = await client.get(
        f"/api/v1/issues/{chat.issue_id}/rooms/public/messages", headers=chat.auth
    )
    lines = [m["body"] for m in page.json()["items"] if m["channel"] == "video"]
    assert lines == ["Video call started by Ana Agent", "Missed video call from Ana Agent"]
