"""Replies as the major mail clients write them, generated here and sent over
SMTP: each joins the Customer's Issue by its References, shows what was
written now with the quote folded away, and keeps its files. Outlook
(windows-1252, quoted-printable, an Original Message block), Gmail (utf-8,
base64, "On ... wrote:"), Apple Mail (iso-8859-1, German "Am ... schrieb"),
Thunderbird (format=flowed, French "Le ... a écrit"), and Japanese and Russian
mail in iso-2022-jp, shift_jis and windows-1251."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path

import pytest

from caseroom.domain.model import Room
from tests.builders import key
from tests.conftest import RecordingPublisher
from tests.integration.email_world import MailWorld, close_world, open_world, person_mail


@pytest.fixture
async def world(
    database_url: str, published: RecordingPublisher, tmp_path: Path
) -> AsyncIterator[MailWorld]:
    opened = await open_world(database_url, published, tmp_path)
    yield opened
    await close_world(opened)


@dataclass(frozen=True)
class Shape:
    client: str
    charset: str
    cte: str
    written: str  # what the person wrote now
    quote: str  # the client's quote header and history
    forwarded: bool = False


SHAPES = (
    Shape(
        "Outlook",
        "windows-1252",
        "quoted-printable",
        "Thanks \u2013 that\u2019s the right size, I\u2019ll wait for the parcel.",
        "-----Original Message-----\nFrom: Support <support@desk.example>\n"
        "Sent: Tuesday, December 1, 2026 10:00 AM\nTo: Robin\nSubject: Re: Jacket\n\nWhich size?",
    ),
    Shape(
        "Gmail",
        "utf-8",
        "base64",
        "Größe M, bitte. 🙂",
        "On Tue, 1 Dec 2026 at 10:00, Support <support@desk.example> wrote:\n> Which size?",
    ),
    Shape(
        "Apple Mail",
        "iso-8859-1",
        "quoted-printable",
        "Die Jacke ist grün, nicht blau.",
        "Am 01.12.2026 um 10:00 schrieb Support <support@desk.example>:\n\n> Which colour?",
    ),
    Shape(
        "Thunderbird",
        "utf-8",
        "8bit",
        "Très bien, merci beaucoup.",
        "Le 01/12/2026 à 10:00, Support a écrit :\n> Anything else?",
    ),
    Shape(
        "iso-2022-jp",
        "iso-2022-jp",
        "7bit",
        "ジャケットのサイズを交換したいです。",
        "On Tue, 1 Dec 2026 at 10:00, Support wrote:\n> Which size?",
    ),
    Shape(
        "shift_jis",
        "shift_jis",
        "base64",
        "よろしくお願いします。",
        "On Tue, 1 Dec 2026 at 10:00, Support wrote:\n> Anything else?",
    ),
    Shape(
        "windows-1251",
        "windows-1251",
        "quoted-printable",
        "Спасибо, куртка пришла.",
        "-----Original Message-----\nFrom: Support\nSent: Tuesday\nTo: Robin\n\nDid it arrive?",
    ),
    Shape(
        "forwarded",
        "utf-8",
        "quoted-printable",
        "See below, from my colleague.",
        "---------- Forwarded message ---------\nFrom: Kim <kim@mail.example>\n\nThe zip broke.",
        forwarded=True,
    ),
)


def reply_in(shape: Shape, sender: str, to: str, references: list[str]) -> EmailMessage:
    mail = EmailMessage()
    mail["From"] = f"Robin <{sender}>"
    mail["To"] = to
    mail["Subject"] = ("Fwd: " if shape.forwarded else "Re: ") + "Jacket"
    mail["Message-ID"] = make_msgid(domain="mail.example")
    mail["References"] = " ".join(references)
    text = f"{shape.written}\n\n{shape.quote}\n"
    if shape.client == "Thunderbird":
        mail.set_content(text, charset=shape.charset, cte=shape.cte)
        mail.set_param("format", "flowed")
    else:
        mail.set_content(text, charset=shape.charset, cte=shape.cte)
    if shape.client == "Apple Mail":  # a signature picture, inline
        mail.add_attachment(
            b"\x89PNG\r\n\x1a\n" + b"\x00" * 32,
            maintype="image",
            subtype="png",
            filename="Signatur.png",
            disposition="inline",
        )
    return mail


async def test_replies_from_each_client_join_the_issue_folded(world: MailWorld) -> None:
    robin = f"robin.{key()[:8]}@mail.example"
    first = person_mail(robin, world.mailbox, "Jacket", "I need another size.")
    assert (await world.send(first))[0] == 250
    [opening] = await world.email_messages_of(robin)
    chain = [str(first["Message-ID"])]
    for shape in SHAPES:
        mail = reply_in(shape, robin, world.mailbox, chain)
        code, reply = await world.send(mail)
        assert code == 250, (shape.client, reply)
        chain.append(str(mail["Message-ID"]))
    public = await world.messages(opening.issue_id, Room.PUBLIC)
    assert len(public) == 1 + len(SHAPES)  # one Issue, in order
    for shape, message in zip(SHAPES, public[1:], strict=True):
        if shape.forwarded:
            assert shape.written in message.body and "The zip broke." in message.body
            continue
        assert message.body == shape.written, shape.client
        stored = await world.mail_of(message.id)
        assert stored is not None and stored.quoted, shape.client
    apple = public[1 + [s.client for s in SHAPES].index("Apple Mail")]
    assert [a.filename for a in apple.attachments] == ["Signatur.png"]
