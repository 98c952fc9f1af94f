"""The one inbound entry point, as every channel calls it: a redelivered message is
stored once, a thread reference finds its Issue (only the same sender's), a
resolved Issue reopens, a closed one gets a linked successor, and the Customer
is matched by the address the channel proved, never duplicated."""

from __future__ import annotations

from caseroom.domain.model import Channel, IssueStatus
from caseroom.domain.status import Action
from caseroom.services import issues
from caseroom.services.conversations import Contact
from caseroom.services.inbound import InboundMessage, receive_inbound
from caseroom.services.messages import Sent
from caseroom.storage.uow import Database, UnitOfWork
from tests.builders import Org, key, make_org
from tests.conftest import RecordingPublisher


def mail(org: Org, sender: str, body: str, **fields: object) -> InboundMessage:
    values: dict[str, object] = {
        "channel": Channel.EMAIL,
        "org_id": org.org.id,
        "contact": Contact(name="Robin Mailer", email=sender),
        "address": sender,
        "provider_id": f"<{key()}@mail.example>",
        "body": body,
        "subject": "Broken zipper",
        **fields,
    }
    return InboundMessage(**values)  # type: ignore[arg-type]


async def receive(db: Database, inbound: InboundMessage) -> Sent:
    async def work(uow: UnitOfWork) -> Sent:
        return await receive_inbound(uow, inbound, max_chars=10_000)

    return await db.run(work)


async def test_a_redelivered_message_is_stored_once(
    db: Database, published: RecordingPublisher
) -> None:
    org = await make_org(db)
    sender = f"{key()[:8]}@mail.example"
    inbound = mail(org, sender, "My zipper broke.", own_refs=("<m1@mail.example>",))
    first = await receive(db, inbound)
    again = await receive(db, inbound)
    assert first.created and not again.created
    assert again.message.id == first.message.id
    assert published.types().count("message.created") == 1
    assert first.message.channel is Channel.EMAIL


async def test_thread_references_lead_to_the_issue_of_the_same_sender_only(db: Database) -> None:
    org = await make_org(db)
    robin, other = f"{key()[:8]}@mail.example", f"{key()[:8]}@mail.example"
    first = await receive(db, mail(org, robin, "First", own_refs=("<t1@desk.example>",)))
    reply = await receive(db, mail(org, robin, "Reply", thread_refs=("<t1@desk.example>",)))
    assert reply.message.issue_id == first.message.issue_id
    stranger = await receive(db, mail(org, other, "Unrelated", thread_refs=("<t1@desk.example>",)))
    assert stranger.message.issue_id != first.message.issue_id

    async def customers(uow: UnitOfWork) -> list[str]:
        return [c.id for c in await uow.customers.matching(org.org.id, robin, None, None)]

    assert len(await db.read(customers)) == 1  # matched, never duplicated

    async def issue_of(uow: UnitOfWork) -> tuple[Channel, str | None]:
        issue = await uow.issues.get(org.org.id, first.message.issue_id)
        assert issue is not None
        return issue.reply_channel, issue.reply_address

    assert await db.read(issue_of) == (Channel.EMAIL, robin)


async def test_a_resolved_issue_reopens_and_a_closed_one_gets_a_linked_successor(
    db: Database,
) -> None:
    org = await make_org(db)
    sender = f"{key()[:8]}@mail.example"
    first = await receive(db, mail(org, sender, "Help", own_refs=("<r1@desk.example>",)))
    issue_id = first.message.issue_id
    ana = org.principal(org.ana)

    async def act(action: Action) -> None:
        async def work(uow: UnitOfWork) -> None:
            await issues.change_status(ana, uow, issue_id, action)

        await db.run(work)

    async def status(some_issue: str) -> tuple[IssueStatus, str | None]:
        async def work(uow: UnitOfWork) -> tuple[IssueStatus, str | None]:
            issue = await uow.issues.get(org.org.id, some_issue)
            assert issue is not None
            return issue.status, issue.linked_issue_id

        return await db.read(work)

    async def claim(uow: UnitOfWork) -> None:
        await issues.claim_issue(ana, uow, issue_id)

    await db.run(claim)
    await act(Action.RESOLVE)
    reopened = await receive(
        db, mail(org, sender, "Still broken", thread_refs=("<r1@desk.example>",))
    )
    assert reopened.message.issue_id == issue_id
    assert (await status(issue_id))[0] is IssueStatus.CLAIMED

    await act(Action.RESOLVE)
    await act(Action.CLOSE)
    after = await receive(db, mail(org, sender, "Again", thread_refs=("<r1@desk.example>",)))
    assert after.message.issue_id != issue_id
    assert await status(after.message.issue_id) == (IssueStatus.UNCLAIMED, issue_id)


async def test_a_text_lands_in_the_senders_open_issue(db: Database) -> None:
    org = await make_org(db)
    phone = "+14155550111"

    def text(body: str) -> InboundMessage:
        return InboundMessage(
            Channel.SMS, org.org.id, Contact(name="Sam", phone=phone), phone,
            f"SM{key()}", body, continue_open=True,
        )  # fmt: skip

    first = await receive(db, text("Where is my order?"))
    second = await receive(db, text("It was due Monday"))
    assert second.message.issue_id == first.message.issue_id
    assert second.message.seq == 2
