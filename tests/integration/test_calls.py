"""A call's record in the database: the ringing timeout and a dropped
participant's grace are durable jobs, which act even when no process keeps a
timer for them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx

from caseroom.domain.calls import CallState, EndReason
from caseroom.domain.model import CustomerPrincipal, Room
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


async def test_a_dropped_participant_may_rejoin_before_their_grace_runs_out(
    client: httpx.AsyncClient,
) -> None:
    context: AppContext = client.app.state.context  # type: ignore[attr-defined]
    org = await make_org(context.db)
    await video_on(client, org)
    chat = await start_chat(client, org)
    limits = calls.CallLimits(timedelta(minutes=1), 4, timedelta(hours=1))
    ana, ben = org.principal(org.ana), org.principal(org.ben)

    async def start(uow: UnitOfWork) -> calls.Joined:
        return await calls.start_call(ana, uow, chat.issue_id, Room.PRIVATE, "ana-1", limits)

    call_id = (await context.db.run(start)).call.id

    async def join(connection: str) -> None:
        async def work(uow: UnitOfWork) -> None:
            await calls.join_call(ben, uow, call_id, connection, limits)

        await context.db.run(work)

    async def dropped(connection: str) -> calls.Call:
        async def work(uow: UnitOfWork) -> None:
            now = datetime.now(UTC)
            await calls.schedule_dropped(uow, org.org.id, call_id, connection, now=now, at=now)

        await context.db.run(work)
        await context.worker.settle()

        async def read(uow: UnitOfWork) -> calls.Call:
            found = await uow.calls.get(org.org.id, call_id)
            assert found is not None
            return found

        return await context.db.read(read)

    await join("ben-1")
    await join("ben-2")  # Ben's page reconnected and joined again before the grace ran out
    after = await dropped("ben-1")
    assert after.state is CallState.ACTIVE
    assert [p.connection_id for p in after.present] == ["ana-1", "ben-2"]
    ended = await dropped("ben-2")  # gone for good: Ana is alone, the call is over
    assert ended.state is CallState.ENDED and ended.ended_reason is EndReason.COMPLETED


async def test_an_erased_customer_is_named_by_no_call(client: httpx.AsyncClient) -> None:
    context: AppContext = client.app.state.context  # type: ignore[attr-defined]
    org = await make_org(context.db)
    await video_on(client, org)
    chat = await start_chat(client, org, name="Jane Roe")
    limits = calls.CallLimits(timedelta(minutes=1), 4, timedelta(hours=1))

    async def call_and_answer(uow: UnitOfWork) -> None:
        started = await calls.start_call(
            org.principal(org.ana), uow, chat.issue_id, Room.PUBLIC, "ana-1", limits
        )
        jane = await uow.customers.get(org.org.id, chat.customer_id)
        assert jane is not None
        await calls.join_call(
            CustomerPrincipal(org.org.id, jane, None), uow, started.call.id, "jane-1", limits
        )

    await context.db.run(call_and_answer)
    erase = f"/api/v1/admin/customers/{chat.customer_id}/erase"
    assert (await client.post(erase, headers=org.auth(org.admin))).status_code == 200

    ana = org.auth(org.ana)
    record = await client.get(f"/api/v1/issues/{chat.issue_id}/calls", headers=ana)
    timeline = await client.get(
        f"/api/v1/issues/{chat.issue_id}/rooms/public/messages", headers=ana
    )
    assert "Jane" not in record.text and "Jane" not in timeline.text
    (call,) = record.json()
    assert [p["who"]["name"] for p in call["participants"]] == ["Ana Agent", "Erased customer"]
