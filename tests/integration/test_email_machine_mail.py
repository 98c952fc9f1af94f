"""Who wrote a mail decides where it lands, over real SMTP sessions: machine mail
(auto-replies, bounces, complaints) goes to the private room without reopening
or answering anything, a bounce marks our email bounced and its address as
bouncing, a complaint suppresses the address; a private-room token brings a
collaborator's reply into the private room but never a Customer's; an agent's
answer from another mail client joins the public room, already delivered."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from caseroom.domain.delivery import Delivery, DeliveryState
from caseroom.domain.model import (
    AuthorKind,
    Channel,
    CustomerPrincipal,
    IssueStatus,
    MessageKind,
    Room,
)
from caseroom.domain.status import Action
from caseroom.services import attachments, deliveries, issues, messages
from caseroom.storage import tables as t
from caseroom.storage.uow import UnitOfWork
from tests.builders import key
from tests.conftest import RecordingPublisher
from tests.integration.email_world import (
    SQLITE_ONLY,
    MailWorld,
    close_world,
    open_world,
    person_mail,
)


@pytest.fixture
async def world(
    database_url: str, published: RecordingPublisher, tmp_path: Path
) -> AsyncIterator[MailWorld]:
    opened = await open_world(database_url, published, tmp_path)
    yield opened
    await close_world(opened)


async def opened_by_mail(world: MailWorld) -> tuple[str, str, str]:
    """A Customer's mail opened an Issue: (their address, the Issue, the mail's id)."""
    robin = f"robin.{key()[:8]}@mail.example"
    mail = person_mail(robin, world.mailbox, "Broken zipper", "It broke.")
    assert (await world.send(mail))[0] == 250
    [message] = await world.email_messages_of(robin)
    return robin, message.issue_id, str(mail["Message-ID"])


async def answer_by_email(world: MailWorld, issue_id: str, our_id: str) -> Delivery:
    """Ana answers by email and the relay took it under Message-ID `our_id` (what
    the outbound side records as the delivery's provider id)."""
    ana = world.org.principal(world.org.ana)

    async def work(uow: UnitOfWork) -> Delivery:
        await issues.claim_issue(ana, uow, issue_id)
        new = messages.NewMessage(Room.PUBLIC, "Sorry! A new one is on its way.", channel=None)
        sent = await messages.send_message(ana, uow, issue_id, new, max_chars=10_000)
        assert sent.message.channel is Channel.EMAIL
        return sent.message  # type: ignore[return-value]

    message = await world.db.run(work)

    async def record(uow: UnitOfWork) -> Delivery:
        [planned] = await uow.deliveries.for_messages(world.org.org.id, [message.id])
        moved = await deliveries.report(
            uow, world.org.org.id, planned.id, DeliveryState.SENT, provider_id=our_id
        )
        assert moved is not None
        await uow.threads.add(world.org.org.id, Channel.EMAIL, our_id.strip("<>"), issue_id,
                              moved.updated_at)  # fmt: skip
        return moved

    return await world.db.run(record)


async def counts(world: MailWorld) -> dict[str, int]:
    async def work(uow: UnitOfWork) -> dict[str, int]:
        conn = uow.connection
        found = {}
        for table in (t.deliveries, t.jobs):
            found[table.name] = (
                await conn.execute(select(func.count()).select_from(table))
            ).scalar_one()
        return found

    return await world.db.read(work)


async def blocks(world: MailWorld, address: str) -> dict[tuple[Channel, str], str]:
    async def work(uow: UnitOfWork) -> dict[tuple[Channel, str], str]:
        return await uow.contact_blocks.for_addresses(world.org.org.id, [(Channel.EMAIL, address)])

    return await world.db.read(work)


def bounce(our_id: str, recipient: str, reporter: str = "mx.mail.example") -> bytes:
    return (
        f"From: Mail Delivery System <MAILER-DAEMON@{reporter}>\r\n"
        "To: support@desk.example\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\n"
        f"Message-ID: <{key()}@{reporter}>\r\n"
        "Auto-Submitted: auto-replied\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="B"\r\n'
        "\r\n--B\r\nContent-Type: text/plain\r\n\r\nYour message could not be delivered.\r\n"
        "\r\n--B\r\nContent-Type: message/delivery-status\r\n\r\n"
        f"Reporting-MTA: dns; {reporter}\r\n\r\n"
        f"Final-Recipient: rfc822; {recipient}\r\n"
        "Action: failed\r\nStatus: 5.1.1\r\n"
        f"Diagnostic-Code: smtp; 550 5.1.1 <{recipient}>: Recipient address rejected\r\n"
        "\r\n--B\r\nContent-Type: text/rfc822-headers\r\n\r\n"
        f"Message-ID: {our_id}\r\nSubject: Re: [#ABC234] Broken zipper\r\n"
        "\r\n--B--\r\n"
    ).encode()


def complaint(our_id: str, complainant: str) -> bytes:
    return (
        "From: abuse@isp.example\r\nTo: support@desk.example\r\nSubject: complaint\r\n"
        f"Message-ID: <{key()}@isp.example>\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=feedback-report; boundary="C"\r\n'
        "\r\n--C\r\nContent-Type: text/plain\r\n\r\nThis is an abuse report.\r\n"
        "\r\n--C\r\nContent-Type: message/feedback-report\r\n\r\n"
        "Feedback-Type: abuse\r\nUser-Agent: isp-fbl/1.0\r\nVersion: 1\r\n"
        f"Original-Rcpt-To: {complainant}\r\n"
        "\r\n--C\r\nContent-Type: text/rfc822-headers\r\n\r\n"
        f"Message-ID: {our_id}\r\nTo: {complainant}\r\n"
        "\r\n--C--\r\n"
    ).encode()


async def test_a_bounce_marks_our_email_bounced_and_the_address_bouncing(
    world: MailWorld,
) -> None:
    robin, issue_id, _ = await opened_by_mail(world)
    our_id = f"<{key()}@{world.org.slug}.example>"
    delivery = await answer_by_email(world, issue_id, our_id)
    before = await counts(world)
    assert (await world.send(bounce(our_id, robin), sender=""))[0] == 250

    async def state(uow: UnitOfWork) -> Delivery | None:
        return await uow.deliveries.get(world.org.org.id, delivery.id)

    bounced = await world.db.read(state)
    assert bounced is not None and bounced.state is DeliveryState.BOUNCED
    assert bounced.error is not None and "5.1.1" in bounced.error
    assert "Recipient address rejected" in bounced.error
    assert await blocks(world, robin) == {(Channel.EMAIL, robin): "bouncing"}
    [report] = [
        m for m in await world.messages(issue_id, Room.PRIVATE) if m.kind is MessageKind.MESSAGE
    ]
    assert report.author_kind is AuthorKind.SYSTEM and "delivery-report" in report.body
    after = await counts(world)
    assert after == before  # nothing answered, nothing sent
    assert (await world.issue(issue_id)).status is IssueStatus.CLAIMED


@SQLITE_ONLY
async def test_a_complaint_suppresses_the_address(world: MailWorld) -> None:
    robin, issue_id, _ = await opened_by_mail(world)
    our_id = f"<{key()}@{world.org.slug}.example>"
    await answer_by_email(world, issue_id, our_id)
    assert (await world.send(complaint(our_id, robin)))[0] == 250
    assert await blocks(world, robin) == {(Channel.EMAIL, robin): "complained"}


async def test_an_auto_responder_loop_settles_after_one_message_each_way(
    world: MailWorld,
) -> None:
    robin, issue_id, _ = await opened_by_mail(world)
    our_id = f"<{key()}@{world.org.slug}.example>"
    await answer_by_email(world, issue_id, our_id)
    ana = world.org.principal(world.org.ana)

    async def resolve(uow: UnitOfWork) -> None:
        await issues.change_status(ana, uow, issue_id, Action.RESOLVE)

    await world.db.run(resolve)
    before = await counts(world)
    for _ in range(3):  # an out-of-office answering every mail it gets
        auto = person_mail(
            robin,
            world.mailbox,
            "Out of office: Re: Broken zipper",
            "I am away until Monday.",
            in_reply_to=our_id,
            headers={"Auto-Submitted": "auto-replied", "X-Autoreply": "yes"},
        )
        assert (await world.send(auto))[0] == 250
    assert await counts(world) == before  # we never answer an auto-reply
    assert (await world.issue(issue_id)).status is IssueStatus.RESOLVED  # never reopened
    public = await world.messages(issue_id, Room.PUBLIC)
    assert all("away until Monday" not in m.body for m in public)
    private = await world.messages(issue_id, Room.PRIVATE)
    assert sum("away until Monday" in m.body for m in private) == 3


async def test_a_private_token_brings_a_collaborators_reply_into_the_private_room(
    world: MailWorld,
) -> None:
    robin, issue_id, _ = await opened_by_mail(world)
    private_address = world.token_address(issue_id, Room.PRIVATE)
    vendor = person_mail(
        "parts@vendor.example", world.mailbox, "Re: zipper parts", "We can ship a new zipper."
    )
    assert (await world.send(vendor, to=[private_address]))[0] == 250
    [reply] = [
        m for m in await world.messages(issue_id, Room.PRIVATE) if m.kind is MessageKind.MESSAGE
    ]
    assert reply.body == "We can ship a new zipper."
    assert "parts@vendor.example" in reply.author_name
    public_bodies = [m.body for m in await world.messages(issue_id, Room.PUBLIC)]
    assert "We can ship a new zipper." not in public_bodies

    # The Customer, holding the same address, still only ever writes in public.
    own = person_mail(robin, world.mailbox, "Re: zipper parts", "Is there news?")
    assert (await world.send(own, to=[private_address]))[0] == 250
    mine = [m for m in await world.email_messages_of(robin) if m.author_kind is AuthorKind.CUSTOMER]
    assert [m.room for m in mine] == [Room.PUBLIC, Room.PUBLIC]
    assert mine[-1].issue_id == issue_id

    # A mentioned agent replying to the private room's mail writes as themselves.
    ben = world.org.ben
    from_ben = person_mail(ben.email, world.mailbox, "Re: mention", "I will call the vendor.")
    assert (await world.send(from_ben, to=[private_address]))[0] == 250
    last = (await world.messages(issue_id, Room.PRIVATE))[-1]
    assert (last.author_kind, last.author_id, last.body) == (
        AuthorKind.AGENT,
        ben.id,
        "I will call the vendor.",
    )


async def test_an_agents_answer_from_another_client_is_matched_and_not_sent_again(
    world: MailWorld,
) -> None:
    robin, issue_id, customer_id = await opened_by_mail(world)
    before = await counts(world)
    ana = world.org.ana
    answer = person_mail(
        ana.email,
        f"{robin}, {world.mailbox}",
        "Re: Broken zipper",
        "Hi Robin, a new jacket is on its way.",
        in_reply_to=customer_id,
    )
    assert (await world.send(answer))[0] == 250
    last = (await world.messages(issue_id, Room.PUBLIC))[-1]
    assert (last.author_kind, last.author_id) == (AuthorKind.AGENT, ana.id)
    assert last.channel is Channel.EMAIL

    async def delivered(uow: UnitOfWork) -> list[Delivery]:
        return await uow.deliveries.for_messages(world.org.org.id, [last.id])

    [record] = await world.db.read(delivered)
    assert record.state is DeliveryState.SENT and record.recipient == robin
    after = await counts(world)
    assert after["jobs"] == before["jobs"]  # the outbox sends nothing again

    # Ana forwarding the thread to the desk alone wrote to no Customer: it stays private.
    forward = person_mail(
        ana.email,
        world.mailbox,
        "Fwd: Broken zipper",
        "FYI, see the customer's photo.",
        in_reply_to=customer_id,
    )
    assert (await world.send(forward))[0] == 250
    kept = (await world.messages(issue_id, Room.PRIVATE))[-1]
    assert (kept.author_id, kept.body) == (ana.id, "FYI, see the customer's photo.")
    assert (await world.messages(issue_id, Room.PUBLIC))[-1].id == last.id


@SQLITE_ONLY
async def test_a_newsletter_sharing_a_reference_never_joins_someone_elses_issue(
    world: MailWorld,
) -> None:
    _, issue_id, customer_id = await opened_by_mail(world)
    letter = person_mail(
        f"news.{key()[:8]}@list.example",
        world.mailbox,
        "Our December offers",
        "Big sale!",
        references=[customer_id],
        headers={"List-Id": "<offers.list.example>", "Precedence": "bulk"},
    )
    assert (await world.send(letter))[0] == 250
    for room in Room:
        assert all("Big sale!" not in m.body for m in await world.messages(issue_id, room))
    [stored] = await world.email_messages_of(str(letter["From"]).split("<")[1].rstrip(">"))
    assert stored.issue_id != issue_id and stored.room is Room.PRIVATE


async def test_nothing_of_the_private_room_mail_reaches_the_customer(world: MailWorld) -> None:
    _, issue_id, _ = await opened_by_mail(world)
    vendor = person_mail("parts@vendor.example", world.mailbox, "Re: parts", "Cost price: 4 EUR")
    vendor.add_attachment(b"%PDF-1.4 price list", maintype="application", subtype="pdf",
                          filename="prices.pdf")  # fmt: skip
    assert (await world.send(vendor, to=[world.token_address(issue_id, Room.PRIVATE)]))[0] == 250

    async def as_customer(uow: UnitOfWork) -> tuple[list[str], list[str]]:
        issue = await uow.issues.get(world.org.org.id, issue_id)
        assert issue is not None
        customer = await uow.customers.get(world.org.org.id, issue.customer_id)
        assert customer is not None
        principal = CustomerPrincipal(world.org.org.id, customer)
        files = await attachments.list_attachments(principal, uow, issue_id)
        page = await messages.page_of(
            principal, uow, issue, Room.PUBLIC, after=0, before=None, limit=100
        )
        return [f.filename for f in files], [m.body for m in page.messages]

    files, bodies = await world.db.read(as_customer)
    assert files == []  # neither the price list nor any original .eml
    assert bodies == ["It broke."]


@SQLITE_ONLY
async def test_our_own_mail_coming_back_is_a_loop_not_a_customer(world: MailWorld) -> None:
    _, issue_id, _ = await opened_by_mail(world)
    our_id = f"<{key()}@{world.org.slug}.example>"
    await answer_by_email(world, issue_id, our_id)
    before = await counts(world)
    echo = person_mail(world.mailbox, world.mailbox, "Re: Broken zipper", "Sorry!",
                       in_reply_to=our_id)  # fmt: skip
    assert (await world.send(echo))[0] == 250
    assert await world.email_messages_of(world.mailbox) == []  # no Customer for ourselves
    last = (await world.messages(issue_id, Room.PRIVATE))[-1]
    assert "loop" in last.body and last.author_kind is AuthorKind.SYSTEM
    assert await counts(world) == before
