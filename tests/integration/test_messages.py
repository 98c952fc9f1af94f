"""Sending messages through the service layer, on both databases."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from caseroom.domain.errors import Conflict, NotFound
from caseroom.domain.model import CustomerPrincipal, IssueStatus, MessageKind, Room
from caseroom.domain.status import Action
from caseroom.services import conversations, issues, messages
from caseroom.storage.uow import Database, UnitOfWork
from tests.builders import Org, key, make_org
from tests.conftest import RecordingPublisher


async def start(
    db: Database, org: Org, email: str = "casey@customer.example"
) -> conversations.Started:
    async def work(uow: UnitOfWork) -> conversations.Started:
        return await conversations.start_conversation(
            uow,
            org.slug,
            conversations.Contact(name="Casey", email=email),
            subject=None,
            message="first",
            idempotency_key=None,
            token_ttl=timedelta(days=1),
            max_chars=1000,
        )

    return await db.run(work)


async def say(
    db: Database,
    principal,
    issue_id: str,
    body: str,
    *,
    room: Room = Room.PUBLIC,
    kind: MessageKind = MessageKind.MESSAGE,
    idempotency_key: str | None = None,
) -> messages.Sent:
    new = messages.NewMessage(room, body, kind, idempotency_key=idempotency_key or key())

    async def work(uow: UnitOfWork) -> messages.Sent:
        return await messages.send_message(principal, uow, issue_id, new, max_chars=1000)

    return await db.run(work)


def customer_of(started: conversations.Started) -> CustomerPrincipal:
    return CustomerPrincipal(
        started.customer.org_id,
        started.customer,
        frozenset({started.issue.id}),
        started.token.credential.id,
    )


async def test_a_retried_send_returns_the_first_message_and_creates_nothing(db: Database) -> None:
    org = await make_org(db)
    chat = await start(db, org)
    ana = org.principal(org.ana)
    first = await say(db, ana, chat.issue.id, "on my way", idempotency_key="retry-key-1")
    again = await say(db, ana, chat.issue.id, "on my way", idempotency_key="retry-key-1")
    assert first.created and not again.created
    assert again.message == first.message
    page = await db.read(
        lambda uow: uow.messages.page(
            org.org.id, chat.issue.id, Room.PUBLIC, frozenset(MessageKind), limit=10
        )
    )
    assert [m.body for m in page.messages] == ["first", "on my way"]


async def test_reusing_a_key_for_another_message_is_a_conflict(db: Database) -> None:
    org = await make_org(db)
    chat = await start(db, org)
    ana = org.principal(org.ana)
    await say(db, ana, chat.issue.id, "one", idempotency_key="same-key-1")
    with pytest.raises(Conflict):
        await say(db, ana, chat.issue.id, "two", idempotency_key="same-key-1")


async def test_concurrent_senders_get_a_gapless_sequence(db: Database) -> None:
    org = await make_org(db)
    chat = await start(db, org)
    senders = [org.principal(org.ana), org.principal(org.ben), customer_of(chat)]

    async def burst(n: int) -> list[int]:
        seqs = []
        for i in range(5):
            sent = await say(db, senders[n % 3], chat.issue.id, f"sender {n} message {i}")
            seqs.append(sent.message.seq)
        return seqs

    results = await asyncio.gather(*(burst(n) for n in range(10)))
    seqs = sorted(s for r in results for s in r)
    assert seqs == list(range(2, 52))  # seq 1 is the opening message
    for r in results:
        assert r == sorted(r)


async def test_events_are_published_after_commit_and_never_for_a_rollback(
    db: Database, published: RecordingPublisher
) -> None:
    org = await make_org(db)
    chat = await start(db, org)
    published.events.clear()
    ana = org.principal(org.ana)

    async def send_then_fail(uow: UnitOfWork) -> None:
        new = messages.NewMessage(Room.PUBLIC, "never seen", idempotency_key=key())
        await messages.send_message(ana, uow, chat.issue.id, new, max_chars=1000)
        raise NotFound("something later in the same use case failed")

    with pytest.raises(NotFound):
        await db.run(send_then_fail)
    assert published.events == []
    page = await db.read(
        lambda uow: uow.messages.page(
            org.org.id, chat.issue.id, Room.PUBLIC, frozenset(MessageKind), limit=10
        )
    )
    assert [m.body for m in page.messages] == ["first"]
    await say(db, ana, chat.issue.id, "seen")
    # The reply also claimed the Issue for Ana (claim on first reply).
    created = [e for e in published.events if e.type == "message.created"]
    assert [e.payload["message"]["seq"] for e in created] == [2]


async def test_a_customer_message_reopens_a_resolved_issue_with_the_same_owner(
    db: Database,
) -> None:
    org = await make_org(db)
    chat = await start(db, org)
    ana = org.principal(org.ana)
    await db.run(lambda uow: issues.claim_issue(ana, uow, chat.issue.id))
    await db.run(lambda uow: issues.change_status(ana, uow, chat.issue.id, Action.RESOLVE))
    await say(db, customer_of(chat), chat.issue.id, "actually, one more thing")
    reopened = await db.read(lambda uow: uow.issues.get(org.org.id, chat.issue.id))
    assert reopened is not None
    assert reopened.status is IssueStatus.CLAIMED and reopened.owner_agent_id == org.ana.id
    log = await db.read(lambda uow: uow.activity.for_issue(org.org.id, chat.issue.id))
    assert [e.action for e in log][-1] == "reopen"


async def test_a_customer_message_on_a_closed_issue_starts_a_linked_one(db: Database) -> None:
    org = await make_org(db)
    chat = await start(db, org)
    ana = org.principal(org.ana)
    for step in (Action.RESOLVE, Action.CLOSE):
        if step is Action.RESOLVE:
            await db.run(lambda uow: issues.claim_issue(ana, uow, chat.issue.id))
        await db.run(lambda uow, step=step: issues.change_status(ana, uow, chat.issue.id, step))
    customer = customer_of(chat)
    sent = await say(db, customer, chat.issue.id, "hello again")
    assert sent.message.issue_id != chat.issue.id
    successor = await db.read(lambda uow: uow.issues.get(org.org.id, sent.message.issue_id))
    assert successor is not None and successor.linked_issue_id == chat.issue.id
    assert successor.status is IssueStatus.UNCLAIMED
    # The same customer token now grants the new Issue too.
    grants = await db.read(
        lambda uow: uow.credentials.granted_issues(org.org.id, chat.token.credential.id)
    )
    assert grants == {chat.issue.id, successor.id}


async def test_a_returning_customer_is_matched_not_duplicated(db: Database) -> None:
    org = await make_org(db)
    first = await start(db, org, email="Maria@Example.com")
    second = await start(db, org, email="maria@example.com")
    assert first.customer.id == second.customer.id
    assert first.issue.id != second.issue.id
    # The second, unverified start is granted its own Issue only.
    grants = await db.read(
        lambda uow: uow.credentials.granted_issues(org.org.id, second.token.credential.id)
    )
    assert grants == {second.issue.id}


async def test_the_open_issue_cap_is_enforced(db: Database) -> None:
    org = await make_org(db, cap=1)
    one, two = await start(db, org, "one@c.example"), await start(db, org, "two@c.example")
    ana = org.principal(org.ana)
    await db.run(lambda uow: issues.claim_issue(ana, uow, one.issue.id))
    with pytest.raises(Conflict) as refused:
        await db.run(lambda uow: issues.claim_issue(ana, uow, two.issue.id))
    assert refused.value.extra == {"limit": 1}


async def test_an_agent_of_another_organization_gets_not_found(db: Database) -> None:
    org, other = await make_org(db), await make_org(db)
    chat = await start(db, org)
    stranger = other.principal(other.ana)
    with pytest.raises(NotFound):
        await db.read(lambda uow: issues.get_issue(stranger, uow, chat.issue.id))
    with pytest.raises(NotFound):
        await say(db, stranger, chat.issue.id, "hi")


async def test_a_customer_retry_to_the_closed_issue_returns_the_message_in_its_successor(
    db: Database,
) -> None:
    org = await make_org(db)
    chat = await start(db, org)
    ana = org.principal(org.ana)
    await db.run(lambda uow: issues.claim_issue(ana, uow, chat.issue.id))
    for step in (Action.RESOLVE, Action.CLOSE):
        await db.run(lambda uow, step=step: issues.change_status(ana, uow, chat.issue.id, step))
    customer = customer_of(chat)
    first = await say(db, customer, chat.issue.id, "hello again", idempotency_key="succ-key-1")
    # The client never saw the answer and sends again to the Issue it knows (its
    # token now grants the successor too).
    grants = frozenset({chat.issue.id, first.message.issue_id})
    customer = CustomerPrincipal(org.org.id, chat.customer, grants, chat.token.credential.id)
    again = await say(db, customer, chat.issue.id, "hello again", idempotency_key="succ-key-1")
    assert first.created and not again.created
    assert again.message == first.message and again.message.issue_id != chat.issue.id
    page = await db.read(
        lambda uow: uow.messages.page(
            org.org.id, first.message.issue_id, Room.PUBLIC, frozenset(MessageKind), limit=10
        )
    )
    assert [m.body for m in page.messages] == ["hello again"]


async def test_a_key_retried_against_another_or_no_issue_is_refused(db: Database) -> None:
    org = await make_org(db)
    chat, other = await start(db, org), await start(db, org, "robin@customer.example")
    ana = org.principal(org.ana)
    await say(db, ana, chat.issue.id, "on my way", idempotency_key="moved-key-1")
    with pytest.raises(Conflict):  # an agent's key belongs to the Issue it was sent to
        await say(db, ana, other.issue.id, "on my way", idempotency_key="moved-key-1")
    with pytest.raises(Conflict):
        await say(db, ana, "no-such-issue", "on my way", idempotency_key="moved-key-1")
    with pytest.raises(NotFound):  # a fresh key to no Issue
        await say(db, ana, "no-such-issue", "hello", idempotency_key="fresh-key-1")


async def test_a_key_names_only_its_own_senders_messages(db: Database) -> None:
    org = await make_org(db)
    chat = await start(db, org)
    ana, ben = org.principal(org.ana), org.principal(org.ben)
    first = await say(db, ana, chat.issue.id, "same words", idempotency_key="shared-key-1")
    second = await say(db, ben, chat.issue.id, "same words", idempotency_key="shared-key-1")
    assert first.created and second.created
    assert second.message.seq == first.message.seq + 1
