"""Group commit: sends that arrive together share a transaction, and each sender
still gets exactly its own answer, after commit. On both databases."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from caseroom.domain.errors import Conflict, NotFound
from caseroom.domain.model import Principal, Room
from caseroom.services import messages, presence
from caseroom.storage.uow import Database, UnitOfWork
from tests.builders import key, make_org
from tests.conftest import RecordingPublisher
from tests.integration.test_messages import customer_of, start


def sending(
    principal: Principal, issue_id: str, body: str, idempotency_key: str | None = None
) -> Callable[[UnitOfWork], Awaitable[messages.Sent]]:
    new = messages.NewMessage(Room.PUBLIC, body, idempotency_key=idempotency_key or key())

    async def work(uow: UnitOfWork) -> messages.Sent:
        return await messages.send_message(principal, uow, issue_id, new, max_chars=1000)

    return work


async def test_a_burst_of_sends_is_stored_gapless_and_each_sender_gets_its_message(
    db: Database, published: RecordingPublisher
) -> None:
    org = await make_org(db)
    started = await start(db, org)
    agent = org.principal(org.ana)
    bodies = [f"message {n}" for n in range(60)]
    sent = await asyncio.gather(
        *(
            db.run_grouped(sending(agent, started.issue.id, body), key=started.issue.id)
            for body in bodies
        )
    )
    assert [s.message.body for s in sent] == bodies
    # Arrival order is sequence order, with no gap after the first message.
    assert [s.message.seq for s in sent] == list(range(2, 62))
    created = [e for e in published.events if e.type == "message.created"]
    assert [e.seq for e in created][-60:] == list(range(2, 62))


async def test_a_failing_send_gets_its_error_and_the_others_are_stored(
    db: Database, published: RecordingPublisher
) -> None:
    org = await make_org(db)
    started = await start(db, org)
    other = await start(db, org, email="someone.else@customer.example")
    customer = customer_of(started)
    reused = key()
    await db.run(sending(customer, started.issue.id, "original", reused))
    mine, theirs = started.issue.id, other.issue.id
    works = [
        (sending(customer, mine, "before"), mine),
        (sending(customer, theirs, "not my Issue"), theirs),  # NotFound
        (sending(customer, mine, "between"), mine),
        (sending(customer, mine, "not the original", reused), mine),  # Conflict
        (sending(customer, mine, "after"), mine),
    ]
    results = await asyncio.gather(
        *(db.run_grouped(work, key=issue_id) for work, issue_id in works), return_exceptions=True
    )
    assert isinstance(results[1], NotFound)
    assert isinstance(results[3], Conflict)
    stored = [r.message for r in results if isinstance(r, messages.Sent)]
    assert [m.body for m in stored] == ["before", "between", "after"]
    assert sorted(m.seq for m in stored) == [3, 4, 5]  # nothing lost, nothing doubled

    async def read(uow: UnitOfWork) -> list[str]:
        page = await messages.list_messages(
            customer, uow, started.issue.id, Room.PUBLIC, after=0, before=None, limit=50
        )
        return [m.body for m in page.messages]

    assert await db.read(read) == ["first", "original", "before", "between", "after"]
    announced = [
        e.payload["message"]["body"] for e in published.events if e.type == "message.created"
    ]
    assert announced[-3:] == ["before", "between", "after"]


async def test_a_retry_in_the_same_group_returns_the_original(db: Database) -> None:
    org = await make_org(db)
    started = await start(db, org)
    agent = org.principal(org.ana)
    same = key()
    first, retry = await asyncio.gather(
        db.run_grouped(sending(agent, started.issue.id, "once", same), key=started.issue.id),
        db.run_grouped(sending(agent, started.issue.id, "once", same), key=started.issue.id),
    )
    assert first.created and not retry.created
    assert retry.message.id == first.message.id


async def test_a_withdrawn_send_is_not_stored(db: Database) -> None:
    org = await make_org(db)
    started = await start(db, org)
    agent = org.principal(org.ana)
    withdrawn = asyncio.ensure_future(
        db.run_grouped(sending(agent, started.issue.id, "never mind"), key=started.issue.id)
    )
    withdrawn.cancel()  # before its group has started
    kept = await db.run_grouped(sending(agent, started.issue.id, "kept"), key=started.issue.id)
    assert kept.message.seq == 2


async def test_presence_announced_together_is_published_for_each_and_refused_alone(
    db: Database, published: RecordingPublisher
) -> None:
    org = await make_org(db)
    chats = [await start(db, org, email=f"{key()[:8]}@customer.example") for _ in range(5)]
    # The third asks about an Issue that is not its own: only it is refused.
    asks = [(customer_of(chat), chat.issue.id) for chat in chats]
    asks[2] = (customer_of(chats[2]), chats[3].issue.id)

    def announcing(principal: Principal, issue_id: str) -> Callable[[UnitOfWork], Awaitable[None]]:
        async def work(uow: UnitOfWork) -> None:
            await presence.announce_presence(principal, uow, issue_id, "online")

        return work

    published.events.clear()
    answers = await asyncio.gather(
        *(db.announce(announcing(who, issue_id)) for who, issue_id in asks),
        return_exceptions=True,
    )
    assert [type(a) for a in answers] == [type(None)] * 2 + [NotFound] + [type(None)] * 2
    announced = [e.issue_id for e in published.events if e.type == "presence.updated"]
    assert sorted(announced) == sorted(chat.issue.id for n, chat in enumerate(chats) if n != 2)
