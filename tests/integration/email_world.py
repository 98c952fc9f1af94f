"""A running inbound SMTP listener on a test database, an organization with a
mailbox, and smtplib clients into it (real SMTP sessions)."""

from __future__ import annotations

import asyncio
import smtplib
from collections.abc import Sequence
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import update

from caseroom.channels.email.listener import bound_port, start_listener
from caseroom.channels.email.mailboxes import reply_token_secret
from caseroom.channels.email.threading import make_reply_token, reply_address
from caseroom.config import Settings
from caseroom.domain.model import Channel, Issue, Message, MessageKind, Room
from caseroom.services.email_inbound import MailIntake
from caseroom.services.email_landing import IntakeLimits
from caseroom.services.outbox import plan_outbox
from caseroom.storage import tables
from caseroom.storage.blobs import LocalBlobStore
from caseroom.storage.database import create_engine
from caseroom.storage.inbound_mails import InboundMail
from caseroom.storage.secrets import SecretBox
from caseroom.storage.uow import Database, UnitOfWork
from tests.builders import Org, make_org
from tests.conftest import RecordingPublisher

INSTALLATION_KEY = "installation key of the test"
# Rules that do not depend on the database run on SQLite alone (time budget); the
# SMTP sessions and storage paths run on both.
SQLITE_ONLY = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
LIMITS = IntakeLimits(
    max_chars=20_000, max_file_bytes=5_000_000, max_files=10, max_filename_chars=180
)


@dataclass
class MailWorld:
    db: Database
    store: LocalBlobStore
    org: Org
    mailbox: str
    port: int
    server: asyncio.Server

    async def send(
        self,
        mail: EmailMessage | bytes,
        *,
        to: Sequence[str] | None = None,
        sender: str | None = None,
    ) -> tuple[int, bytes]:
        """One SMTP session: MAIL, RCPT, DATA; the DATA reply (or the first refusal)."""
        return await smtp_send(self.port, mail, to=list(to or [self.mailbox]), sender=sender)

    def token_address(self, issue_id: str, room: Room = Room.PUBLIC) -> str:
        secret = reply_token_secret(self.org.org.id, {}, INSTALLATION_KEY)
        token = make_reply_token(secret, self.org.org.id, issue_id, room=room)
        return reply_address(self.mailbox, token)

    async def messages(self, issue_id: str, room: Room) -> list[Message]:
        async def work(uow: UnitOfWork) -> list[Message]:
            page = await uow.messages.page(
                self.org.org.id, issue_id, room, frozenset(MessageKind), after=0, limit=200
            )
            return page.messages

        return await self.db.read(work)

    async def issue(self, issue_id: str) -> Issue:
        async def work(uow: UnitOfWork) -> Issue | None:
            return await uow.issues.get(self.org.org.id, issue_id)

        found = await self.db.read(work)
        assert found is not None
        return found

    async def mail_of(self, message_id: str) -> InboundMail | None:
        async def work(uow: UnitOfWork) -> InboundMail | None:
            return await uow.inbound_mails.for_message(self.org.org.id, message_id)

        return await self.db.read(work)

    async def email_messages_of(self, address: str) -> list[Message]:
        """Every stored message of the Customer with this address, oldest first."""

        async def work(uow: UnitOfWork) -> list[Message]:
            customers = await uow.customers.matching(self.org.org.id, address, None, None)
            found: list[Message] = []
            for customer in customers:
                for issue in await uow.issues.for_customer(self.org.org.id, customer.id, None, 50):
                    for room in Room:
                        page = await uow.messages.page(
                            self.org.org.id,
                            issue.id,
                            room,
                            frozenset({MessageKind.MESSAGE}),
                            after=0,
                            limit=200,
                        )
                        found.extend(m for m in page.messages if m.channel is Channel.EMAIL)
            return sorted(found, key=lambda m: (m.created_at, m.seq))

        return await self.db.read(work)


async def smtp_send(
    port: int, mail: EmailMessage | bytes, *, to: list[str], sender: str | None = None
) -> tuple[int, bytes]:
    """One SMTP session into the listener on `port`."""
    raw = mail if isinstance(mail, bytes) else mail.as_bytes(policy=policy.SMTP)
    envelope_from = sender if sender is not None else _from(mail)
    return await asyncio.to_thread(_session, port, envelope_from, to, raw)


def _from(mail: EmailMessage | bytes) -> str:
    if isinstance(mail, bytes):
        return "someone@mail.example"
    from email.utils import parseaddr

    return parseaddr(str(mail["From"]))[1]


def _session(port: int, sender: str, recipients: list[str], raw: bytes) -> tuple[int, bytes]:
    with smtplib.SMTP("127.0.0.1", port, timeout=60) as client:
        client.ehlo("client.example")
        code, reply = client.mail(sender)
        if code != 250:
            return code, reply
        accepted = 0
        last: tuple[int, bytes] = (0, b"")
        for rcpt in recipients:
            last = client.rcpt(rcpt)
            accepted += last[0] == 250
        if not accepted:
            return last
        code, reply = client.data(raw)
        assert client.noop()[0] == 250  # the server keeps answering
        return code, reply


async def open_world(
    database_url: str,
    published: RecordingPublisher,
    tmp_path: Path,
    **settings: object,
) -> MailWorld:
    engine = create_engine(database_url)
    db = Database(
        engine,
        published,
        plan_outbox=plan_outbox,
        secret_box=SecretBox([Fernet.generate_key().decode()]),
    )
    store = LocalBlobStore(tmp_path / "blobs")
    org = await make_org(db)
    mailbox = f"support@{org.slug}.example"

    async def setup(uow: UnitOfWork) -> None:
        from caseroom.services.common import utcnow

        await uow.channels.put(
            org.org.id,
            Channel.EMAIL,
            enabled=True,
            config={"address": mailbox},
            secrets={},
            now=utcnow(),
        )

    await db.run(setup)
    values: dict[str, object] = {
        "database_url": database_url,
        "data_dir": tmp_path / "data",
        "limits_enabled": False,
        **settings,
    }
    intake = MailIntake(db, store, LIMITS, INSTALLATION_KEY)
    server = await start_listener(intake, Settings(**values), port=0)  # type: ignore[arg-type]
    return MailWorld(db, store, org, mailbox, bound_port(server), server)


async def close_world(world: MailWorld) -> None:
    """Stop the listener; the jobs the test's organization left (transcripts of
    Issues it resolved, deliveries no relay took) are marked done, so that no
    later test's server runs them on the shared database."""
    world.server.close()
    if world.org is not None:

        async def settle(uow: UnitOfWork) -> None:
            jobs = tables.jobs
            await uow.connection.execute(
                update(jobs)
                .where(jobs.c.org_id == world.org.org.id, jobs.c.state == "pending")
                .values(state="done")
            )

        await world.db.run(settle)
    await world.db.engine.dispose()


def person_mail(
    sender: str,
    to: str,
    subject: str,
    text: str,
    *,
    html: str | None = None,
    in_reply_to: str | None = None,
    references: Sequence[str] = (),
    headers: dict[str, str] | None = None,
    domain: str = "mail.example",
) -> EmailMessage:
    mail = EmailMessage()
    mail["From"] = f"Robin Mailer <{sender}>"
    mail["To"] = to
    mail["Subject"] = subject
    mail["Message-ID"] = make_msgid(domain=domain)
    mail["Date"] = "Tue, 01 Dec 2026 10:00:00 +0000"
    if in_reply_to:
        mail["In-Reply-To"] = in_reply_to
    if references:
        mail["References"] = " ".join(references)
    for name, value in (headers or {}).items():
        mail[name] = value
    mail.set_content(text)
    if html is not None:
        mail.add_alternative(html, subtype="html")
    return mail
