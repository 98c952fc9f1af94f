"""Mail into the organization's mailbox over real SMTP sessions (smtplib into
our listener), on SQLite and PostgreSQL: a Customer's mail opens an Issue and
its replies join it by References or by the reply token alone; the text is
folded, the HTML sanitized, the files and inline images become the message's
files and the original .eml an agents-only file; a redelivered copy is stored
once; refusals write nothing."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from caseroom.domain.model import AuthorKind, MessageKind, Room
from caseroom.storage.uow import UnitOfWork
from tests.builders import key, make_org, row_counts
from tests.conftest import RecordingPublisher
from tests.integration.email_world import (
    SQLITE_ONLY,
    MailWorld,
    close_world,
    open_world,
    person_mail,
)

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
async def world(
    database_url: str, published: RecordingPublisher, tmp_path: Path
) -> AsyncIterator[MailWorld]:
    opened = await open_world(database_url, published, tmp_path)
    yield opened
    await close_world(opened)


def customer() -> str:
    return f"robin.{key()[:8]}@mail.example"


async def test_a_three_round_conversation_stays_in_one_issue(world: MailWorld) -> None:
    robin = customer()
    first = person_mail(
        robin,
        world.mailbox,
        "My zipper broke",
        "Hello,\n\nthe zipper of my jacket broke after a week.\n\nRobin",
        html="<p>Hello,</p><p>the zipper broke.</p><img src='cid:photo1'>"
        "<script>alert(1)</script><a href='javascript:x()' onclick='y()'>link</a>",
    )
    html_part = first.get_payload()[1]  # type: ignore[index]
    html_part.add_related(PNG, "image", "png", cid="<photo1>", filename="zipper.png")
    first.add_attachment(b"%PDF-1.4 receipt", maintype="application", subtype="pdf",
                         filename="receipt.pdf")  # fmt: skip
    code, reply = await world.send(first)
    assert code == 250, reply

    [opening] = await world.email_messages_of(robin)
    assert opening.room is Room.PUBLIC and opening.author_kind is AuthorKind.CUSTOMER
    assert "the zipper of my jacket broke" in opening.body
    names = sorted(a.filename for a in opening.attachments)
    assert names == ["receipt.pdf", "zipper.png"]
    kinds = {a.filename: a.content_type for a in opening.attachments}
    assert kinds["zipper.png"] == "image/png" and kinds["receipt.pdf"] == "application/pdf"
    stored = await world.mail_of(opening.id)
    assert stored is not None and stored.html is not None
    assert "<script" not in stored.html and "onclick" not in stored.html
    assert "javascript:" not in stored.html
    image = next(a for a in opening.attachments if a.filename == "zipper.png")
    assert f"/attachments/{image.id}/content" in stored.html  # cid: points at the file
    issue = await world.issue(opening.issue_id)
    assert issue.subject == "My zipper broke"
    private = await world.messages(issue.id, Room.PRIVATE)
    [original] = [m for m in private if m.kind is MessageKind.EVENT]
    assert original.attachments[0].filename.endswith(".eml")  # agents only

    # Round two: a client that sets only References; the quote folds away.
    second = person_mail(
        robin,
        world.mailbox,
        "Re: My zipper broke",
        "It is the front zipper.\n\nOn Tue, 1 Dec 2026 at 10:00, Support wrote:\n> Which one?\n",
        references=[str(first["Message-ID"])],
    )
    assert (await world.send(second))[0] == 250
    # Round three: a client that keeps no headers, only the reply token.
    third = person_mail(robin, world.mailbox, "jacket", "Any news?\n-- \nRobin, sent from a phone")
    assert (await world.send(third, to=[world.token_address(issue.id)]))[0] == 250

    bodies = [m.body for m in await world.email_messages_of(robin)]
    assert bodies[1:] == ["It is the front zipper.", "Any news?"]
    public = await world.messages(issue.id, Room.PUBLIC)
    assert [m.seq for m in public] == [1, 2, 3]
    folded = await world.mail_of(public[1].id)
    assert folded is not None and folded.quoted is not None and "Which one?" in folded.quoted


async def test_a_redelivered_copy_is_stored_once(world: MailWorld) -> None:
    robin = customer()
    mail = person_mail(robin, world.mailbox, "Hello", "Just one question.")
    token_copy = world.mailbox.replace("@", "+notatoken@")
    assert (await world.send(mail))[0] == 250
    assert (await world.send(mail, to=[world.mailbox, token_copy]))[0] == 250  # a retry
    assert len(await world.email_messages_of(robin)) == 1


async def test_refusals_write_nothing(world: MailWorld) -> None:
    before = await row_counts(world.db)
    robin = customer()
    mail = person_mail(robin, world.mailbox, "Hello", "Text")
    unknown = f"nobody@{world.org.slug}.example"
    assert (await world.send(mail, to=[unknown]))[0] == 550
    forged = world.mailbox.replace("@", "+" + "0" * 42 + "@")
    assert (await world.send(mail, to=[forged]))[0] == 550
    assert (await world.send(mail, to=["support@elsewhere.example"]))[0] == 550
    code, _ = await world.send(b"just some words\r\nwith no headers\r\n")
    assert code == 550
    # Refused while storing (no address a reply could go to): its files go too.
    nowhere = person_mail("bob@localhost", world.mailbox, "Hi", "See the file")
    nowhere.add_attachment(b"%PDF-1.4 " + key().encode(), maintype="application",
                           subtype="pdf", filename="a.pdf")  # fmt: skip
    code, reply = await world.send(nowhere)
    assert code == 550 and b"not a valid address" in reply
    assert await row_counts(world.db) == before
    assert [p for p in world.store.root.rglob("*") if p.is_file()] == []


@SQLITE_ONLY
async def test_a_subject_tag_joins_only_the_issues_own_customer(world: MailWorld) -> None:
    robin, other = customer(), customer()
    assert (await world.send(person_mail(robin, world.mailbox, "Order", "Where is it?")))[0] == 250
    [first] = await world.email_messages_of(robin)
    issue = await world.issue(first.issue_id)
    tagged = f"Re: [#{issue.reference}] Order"
    assert (await world.send(person_mail(robin, world.mailbox, tagged, "Still waiting")))[0] == 250
    assert (await world.send(person_mail(other, world.mailbox, tagged, "Me too")))[0] == 250
    assert {m.issue_id for m in await world.email_messages_of(robin)} == {issue.id}
    [stranger] = await world.email_messages_of(other)
    assert stranger.issue_id != issue.id


async def test_the_console_reads_the_mails_html_and_fold_as_the_message_is_visible(
    world: MailWorld, client: httpx.AsyncClient
) -> None:
    robin = customer()
    mail = person_mail(
        robin,
        world.mailbox,
        "Sizes",
        "Size M please.\n\nOn Tue, 1 Dec 2026 at 10:00, Support wrote:\n> Which size?",
        html="<p>Size M please.</p><img src='https://tracker.example/p.gif'>",
    )
    assert (await world.send(mail))[0] == 250
    [message] = await world.email_messages_of(robin)
    path = f"/api/v1/issues/{message.issue_id}/messages/{message.id}/email"
    found = await client.get(path, headers=world.org.auth(world.org.ana))
    assert found.status_code == 200
    body = found.json()
    assert body["sender"] == robin and body["to"] == [world.mailbox]
    assert "Which size?" in body["quoted"]
    assert "data-remote-src" in body["html"] and ' src="https://tracker' not in body["html"]
    other = await make_org(world.db)
    hidden = await client.get(path, headers=other.auth(other.ana))
    assert hidden.status_code == 404
    # The room's page carries it too, for agents: what the console folds and frames.
    room = f"/api/v1/issues/{message.issue_id}/rooms/public/messages"
    [item] = (await client.get(room, headers=world.org.auth(world.org.ana))).json()["items"]
    assert item["email"]["direction"] == "in" and "Which size?" in item["email"]["quoted"]


@SQLITE_ONLY
async def test_a_page_of_messages_reads_the_mails_it_came_as(world: MailWorld) -> None:
    robin = customer()
    for text in ("One", "Two"):
        assert (await world.send(person_mail(robin, world.mailbox, "Hi", text)))[0] == 250
    messages = await world.email_messages_of(robin)

    async def work(uow: UnitOfWork) -> list[str]:
        found = await uow.inbound_mails.for_messages(world.org.org.id, [m.id for m in messages])
        return sorted(m.message_id for m in found)

    assert await world.db.read(work) == sorted(m.id for m in messages)


@SQLITE_ONLY
async def test_redacting_the_message_redacts_the_mail_it_came_as(world: MailWorld) -> None:
    from caseroom.services import redaction

    robin = customer()
    secret = "hunter2-password"
    mail = person_mail(
        robin,
        world.mailbox,
        "Login",
        f"My password is {secret}.\n\nOn Tue, 1 Dec 2026 at 10:00, Robin wrote:\n> it is {secret}",
        html=f"<p>My password is <b>{secret}</b>.</p>",
    )
    assert (await world.send(mail))[0] == 250
    [message] = await world.email_messages_of(robin)

    async def redact(uow: UnitOfWork) -> None:
        await redaction.redact_message(
            world.org.principal(world.org.ana),
            uow,
            message.issue_id,
            message.id,
            [secret],
            max_secrets=20,
        )

    await world.db.run(redact)
    stored = await world.mail_of(message.id)
    assert stored is not None and stored.html is None
    assert stored.quoted is not None and secret not in stored.quoted


@SQLITE_ONLY
async def test_erasing_the_customer_erases_their_mails_and_purging_removes_them(
    world: MailWorld,
) -> None:
    from datetime import timedelta

    from caseroom.domain.status import Action
    from caseroom.services import data_requests, issues, retention
    from caseroom.services.common import utcnow

    robin = customer()
    mail = person_mail(robin, world.mailbox, "Private matter", "My address is 1 Main St.",
                       html="<p>My address is 1 Main St.</p>")  # fmt: skip
    mail.add_attachment(b"%PDF-1.4 id card", maintype="application", subtype="pdf",
                        filename="id.pdf")  # fmt: skip
    assert (await world.send(mail))[0] == 250
    [message] = await world.email_messages_of(robin)
    issue_id = message.issue_id
    admin = world.org.principal(world.org.admin)

    async def erase(uow: UnitOfWork) -> None:
        await data_requests.erase_customer(admin, uow, (await world.issue(issue_id)).customer_id)

    await world.db.run(erase)
    stored = await world.mail_of(message.id)
    assert stored is not None
    assert (stored.sender, stored.subject, stored.html, stored.quoted) == (
        "[erased]",
        "[erased]",
        None,
        None,
    )
    for room in Room:
        for kept in await world.messages(issue_id, room):
            assert not kept.attachments  # neither their file nor the original .eml

    async def end_and_purge(uow: UnitOfWork) -> int:
        await issues.claim_issue(admin, uow, issue_id)
        await issues.change_status(admin, uow, issue_id, Action.RESOLVE)
        return await retention.purge_expired(
            uow, world.org.org.id, timedelta(days=0), utcnow() + timedelta(days=1)
        )

    assert await world.db.run(end_and_purge) >= 1
    assert await world.mail_of(message.id) is None  # the Issue and its mails went together


@SQLITE_ONLY
async def test_a_reply_can_continue_the_received_mails_references(world: MailWorld) -> None:
    robin = customer()
    first = person_mail(robin, world.mailbox, "Order", "Where is it?")
    second = person_mail(robin, world.mailbox, "Re: Order", "Hello?",
                         references=[str(first["Message-ID"])])  # fmt: skip
    for mail in (first, second):
        assert (await world.send(mail))[0] == 250
    [one, two] = await world.email_messages_of(robin)

    async def work(uow: UnitOfWork) -> list[str]:
        return await uow.inbound_mails.earlier_ids(
            world.org.org.id, one.issue_id, "public", two.seq + 1
        )

    ids = [str(m["Message-ID"]).strip("<>") for m in (first, second)]
    assert await world.db.read(work) == ids
