"""The SMTP listener against bad input and as an operator sets it up: each bad
mail is refused or stored sanitized, the server keeps answering and nothing is
half-written; a sender past its rate waits; STARTTLS and AUTH for a relay;
`caseroom serve` with a port receives the demo organization's mail."""

from __future__ import annotations

import asyncio
import datetime
import smtplib
import ssl
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from caseroom.app import create_app
from caseroom.channels.email.listener import bound_port
from caseroom.config import Settings
from caseroom.demo import MAILBOX as DEMO_MAILBOX
from caseroom.demo import load_demo
from caseroom.domain.model import MessageKind, Room
from caseroom.storage.uow import UnitOfWork
from tests.builders import key, row_counts
from tests.conftest import RecordingPublisher
from tests.integration.email_world import (
    SQLITE_ONLY,
    MailWorld,
    close_world,
    open_world,
    person_mail,
    smtp_send,
)


@pytest.fixture
async def world(
    database_url: str, published: RecordingPublisher, tmp_path: Path
) -> AsyncIterator[MailWorld]:
    opened = await open_world(database_url, published, tmp_path)
    yield opened
    await close_world(opened)


def raw_mail(sender: str, to: str, body: bytes, headers: bytes = b"") -> bytes:
    head = f"From: {sender}\r\nTo: {to}\r\nSubject: test\r\nMessage-ID: <{key()}@mail.example>\r\n"
    return head.encode() + headers + b"\r\n" + body


async def test_bad_mail_is_refused_or_sanitized_and_never_half_written(
    world: MailWorld,
) -> None:
    sender = f"eve.{key()[:8]}@mail.example"
    many_headers = b"".join(b"X-Filler-%d: value\r\n" % i for i in range(10_000))
    deep = b"".join(
        b'Content-Type: multipart/mixed; boundary="b%d"\r\n\r\n--b%d\r\n' % (i, i)
        for i in range(100)
    )
    cases = {
        "headers": raw_mail(sender, world.mailbox, b"ten thousand header lines\r\n", many_headers),
        "deep": raw_mail(sender, world.mailbox, deep + b"Content-Type: text/plain\r\n\r\ndeep\r\n"),
        "base64": raw_mail(
            sender,
            world.mailbox,
            b"--x\r\nContent-Type: text/plain\r\n\r\nsee file\r\n--x\r\n"
            b"Content-Type: application/pdf\r\nContent-Transfer-Encoding: base64\r\n"
            b'Content-Disposition: attachment; filename="a.pdf"\r\n\r\n'
            b"JVBERi0x!!!not*base64@@@\r\n--x--\r\n",
            b'MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="x"\r\n',
        ),
        "nul": raw_mail(sender, world.mailbox, b"hello\x00 world\x00\r\n"),
        "script": raw_mail(
            sender,
            world.mailbox,
            b"<p onmouseover='steal()'>Hi</p><script>alert(1)</script>"
            b"<img src=x onerror=alert(2)><a href='javascript:alert(3)'>x</a>\r\n",
            b"MIME-Version: 1.0\r\nContent-Type: text/html; charset=utf-8\r\n",
        ),
    }
    for name, mail in cases.items():
        code, reply = await world.send(mail, sender=sender)
        assert code == 250, (name, reply)
    stored = await world.email_messages_of(sender)
    assert len(stored) == len(cases)
    for message in stored:
        assert "\x00" not in message.body
        mail = await world.mail_of(message.id)
        assert mail is not None
        for dangerous in ("<script", "onerror", "onmouseover", "javascript:"):
            assert dangerous not in (mail.html or "")
            assert dangerous not in message.body
    assert any(m.body == "hello world" for m in stored)


async def test_a_30_mb_mail_is_refused_with_552_and_nothing_stored(
    sqlite_url: str, tmp_path: Path
) -> None:
    world = await open_world(sqlite_url, RecordingPublisher(), tmp_path)
    try:
        before = await row_counts(world.db)
        line = b"A" * 76 + b"\r\n"
        huge = raw_mail("big@mail.example", world.mailbox, line * (30 * 1024 * 1024 // 78))
        code, _ = await world.send(huge, sender="big@mail.example")
        assert code == 552
        assert await row_counts(world.db) == before
        small = person_mail("big@mail.example", world.mailbox, "smaller", "This one fits.")
        assert (await world.send(small))[0] == 250  # and the server keeps answering
    finally:
        await close_world(world)


async def test_a_sender_past_its_rate_is_asked_to_come_back_later(
    sqlite_url: str, tmp_path: Path
) -> None:
    world = await open_world(
        sqlite_url,
        RecordingPublisher(),
        tmp_path,
        limits_enabled=True,
        limit_inbound_mail="2/minute",
    )
    try:
        sender = f"flood.{key()[:8]}@mail.example"
        codes = [
            (await world.send(person_mail(sender, world.mailbox, f"n{i}", "again")))[0]
            for i in range(3)
        ]
        assert codes == [250, 250, 451]
        other = person_mail(f"calm.{key()[:8]}@mail.example", world.mailbox, "hi", "hello")
        assert (await world.send(other))[0] == 250
        assert len(await world.email_messages_of(sender)) == 2
    finally:
        await close_world(world)


def self_signed(directory: Path) -> tuple[Path, Path]:
    private = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(private.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .sign(private, hashes.SHA256())
    )
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        private.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


def relay_session(port: int, mailbox: str, mail: bytes, *, login: tuple[str, str] | None) -> int:
    """A relay's session: STARTTLS, then AUTH when it has a login, then the mail."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    with smtplib.SMTP("127.0.0.1", port, timeout=30) as client:
        client.starttls(context=context)
        client.ehlo("relay.example")
        if login is not None:
            client.login(*login)
        code, _ = client.mail("relay@mail.example")
        if code != 250:
            return code
        client.rcpt(mailbox)
        return client.data(mail)[0]


async def test_a_relay_signs_in_over_starttls(sqlite_url: str, tmp_path: Path) -> None:
    cert, private = self_signed(tmp_path)
    world = await open_world(
        sqlite_url,
        RecordingPublisher(),
        tmp_path,
        smtp_tls_cert=cert,
        smtp_tls_key=private,
        smtp_auth_user="relay",
        smtp_auth_password="relay secret",
    )
    try:
        sender = f"via.{key()[:8]}@mail.example"
        mail = raw_mail(sender, world.mailbox, b"relayed\r\n")
        anonymous = await asyncio.to_thread(relay_session, world.port, world.mailbox, mail,
                                            login=None)  # fmt: skip
        assert anonymous == 530  # authentication required
        with pytest.raises(smtplib.SMTPAuthenticationError):
            await asyncio.to_thread(
                relay_session, world.port, world.mailbox, mail, login=("relay", "wrong")
            )
        signed_in = await asyncio.to_thread(
            relay_session, world.port, world.mailbox, mail, login=("relay", "relay secret")
        )
        assert signed_in == 250
        assert [m.body for m in await world.email_messages_of(sender)] == ["relayed"]
    finally:
        await close_world(world)


async def test_serve_with_a_port_receives_the_demo_mailbox(tmp_path: Path) -> None:
    # A database of its own: the demo leaves jobs (its transcripts) that would run
    # in whichever test's server came next.
    url = f"sqlite+aiosqlite:///{tmp_path / 'demo.db'}"
    settings = Settings(
        database_url=url, data_dir=tmp_path / "data", limits_enabled=False, smtp_port=0
    )
    await load_demo(settings)
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        port = bound_port(app.state.smtp)
        sender = f"newcomer.{key()[:8]}@example.com"
        mail = person_mail(sender, DEMO_MAILBOX, "Trying the mailbox", "Hello from smtplib!")
        assert (await smtp_send(port, mail, to=[DEMO_MAILBOX]))[0] == 250

        async def find(uow: UnitOfWork) -> list[str]:
            org = await uow.organizations.by_slug("demo")
            assert org is not None
            [customer] = await uow.customers.matching(org.id, sender, None, None)
            [issue] = await uow.issues.for_customer(org.id, customer.id, None, 5)
            page = await uow.messages.page(
                org.id, issue.id, Room.PUBLIC, frozenset({MessageKind.MESSAGE}), after=0
            )
            return [m.body for m in page.messages]

        assert await app.state.context.db.read(find) == ["Hello from smtplib!"]


@SQLITE_ONLY
async def test_an_address_in_another_script_is_received(world: MailWorld) -> None:
    sender = f"jörg.{key()[:6]}@mail.example"
    mail = f"From: Jörg <{sender}>\r\nTo: {world.mailbox}\r\nSubject: Grüße\r\n"
    mail += f"Message-ID: <{key()}@mail.example>\r\nContent-Type: text/plain; charset=utf-8\r\n"
    mail += "\r\nHallo aus Köln\r\n"

    def session() -> int:
        with smtplib.SMTP("127.0.0.1", world.port, timeout=30) as client:
            refused = client.sendmail(
                sender, [world.mailbox], mail.encode(), mail_options=["SMTPUTF8"]
            )
            return len(refused)

    assert await asyncio.to_thread(session) == 0
    [stored] = await world.email_messages_of(sender)
    assert stored.body == "Hallo aus Köln" and stored.author_name == "Jörg"


@SQLITE_ONLY
async def test_a_mail_longer_than_a_message_is_cut_with_a_note(world: MailWorld) -> None:
    sender = f"long.{key()[:8]}@mail.example"
    text = "\n".join(f"Line {n} of a very long report." for n in range(2000))  # ~60,000 chars
    assert (await world.send(person_mail(sender, world.mailbox, "Report", text)))[0] == 250
    [stored] = await world.email_messages_of(sender)
    assert len(stored.body) <= 20_000
    assert stored.body.startswith("Line 0 of") and stored.body.endswith("in the original mail.]")
