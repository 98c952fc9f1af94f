"""Use cases of outbound email: the email details an agent's message carries
(subject, To/Cc for a private-room mail, refused for the Customer's own
addresses), what the delivery job adds to an email delivery (the thread, the
room a reply returns to), recording what was sent so replies thread, and the
local capture of outbound mail that admins read when no relay is set up."""

from __future__ import annotations

import email
import email.policy
from collections.abc import Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any

from caseroom.channels.email.html import sanitize_html
from caseroom.domain.channels import SUPPRESSED, reply_address
from caseroom.domain.delivery import Delivery
from caseroom.domain.errors import InvalidInput, NotFound
from caseroom.domain.ids import new_id
from caseroom.domain.model import Channel, Issue, Message, Principal, Room
from caseroom.services.common import require_admin, utcnow
from caseroom.storage.mail import CapturedMail, MessageEmail
from caseroom.storage.uow import Database, UnitOfWork

MAX_RECIPIENTS = 20
MAX_SUBJECT_CHARS = 200


@dataclass(frozen=True, slots=True)
class EmailFields:
    """What an agent gives for an email besides its text: a subject for a new
    thread; for a private-room mail, who it goes to."""

    subject: str | None = None
    to: tuple[str, ...] = ()
    cc: tuple[str, ...] = ()


def clean_address(value: str, field: str) -> str:
    address = value.strip().strip("<>").strip().lower()
    local, at, domain = address.rpartition("@")
    if (
        not at
        or not local
        or "." not in domain
        or any(c.isspace() or c in ',;<>"()[]\\' for c in address)
        or len(address) > 320
    ):
        raise InvalidInput(f"{value!r} is not an email address", field=field)
    return address


def clean_fields(fields: EmailFields) -> EmailFields:
    subject = " ".join((fields.subject or "").split())[:MAX_SUBJECT_CHARS] or None
    to = tuple(dict.fromkeys(clean_address(a, "to") for a in fields.to))
    cc = tuple(a for a in dict.fromkeys(clean_address(a, "cc") for a in fields.cc) if a not in to)
    if len(to) + len(cc) > MAX_RECIPIENTS:
        raise InvalidInput(f"at most {MAX_RECIPIENTS} recipients", field="to")
    return EmailFields(subject, to, cc)


async def customer_addresses(uow: UnitOfWork, issue: Issue) -> set[str]:
    """Every address by which this Issue's Customer is known."""
    found = {issue.reply_address or ""}
    customer = await uow.customers.get(issue.org_id, issue.customer_id)
    if customer is not None:
        found.add(customer.email or "")
    if issue.given_contact is not None:
        found.add(issue.given_contact.email or "")
    return {a.strip().lower() for a in found if a and "@" in a}


async def check_private_recipients(uow: UnitOfWork, issue: Issue, fields: EmailFields) -> None:
    """A private-room mail goes to colleagues and outside collaborators, never to
    the Customer: any of the Customer's addresses among them refuses the send."""
    if not fields.to:
        raise InvalidInput("a private-room email needs at least one To address", field="to")
    if Channel.EMAIL not in await uow.channels.configured(issue.org_id):
        raise InvalidInput("email is not set up for this organization", field="channel")
    theirs = await customer_addresses(uow, issue)
    setup = await uow.channels.get(issue.org_id, Channel.EMAIL)
    mailbox = str(setup.config.get("address") or "").lower() if setup else ""
    everyone = [(Channel.EMAIL, a) for a in (*fields.to, *fields.cc)]
    blocks = await uow.contact_blocks.for_addresses(issue.org_id, everyone)
    for name, addresses in (("to", fields.to), ("cc", fields.cc)):
        for address in addresses:
            if (reason := blocks.get((Channel.EMAIL, address))) is not None:
                raise InvalidInput(
                    f"{address} is not mailed: {SUPPRESSED.get(reason, reason)}", field=name
                )
            if address in theirs:
                raise InvalidInput(
                    f"{address} is the Customer's address: private-room email never goes "
                    "to the Customer; answer in the public room",
                    field=name,
                )
            if _without_tag(address) == mailbox:
                raise InvalidInput(f"{address} is this organization's own mailbox", field=name)


def _without_tag(address: str) -> str:
    local, _, domain = address.rpartition("@")
    return f"{local.split('+', 1)[0]}@{domain}"


async def remember_outgoing(
    uow: UnitOfWork, issue: Issue, message: Message, fields: EmailFields
) -> None:
    """Store the email details of an agent's message that leaves by email: a
    public reply goes to the Customer, a private-room mail to its To and Cc;
    and the subject of the thread it belongs to (see `thread_subject_for`)."""
    to, cc = fields.to, fields.cc
    if message.room is Room.PUBLIC:
        customer = await uow.customers.get(issue.org_id, issue.customer_id)
        address = reply_address(issue, customer, Channel.EMAIL) if customer else None
        to, cc = ((address,) if address else ()), ()
    earlier = await uow.message_emails.earlier(issue.org_id, issue.id, message.room, message.seq)
    subject = thread_subject_for(issue, message.room, fields.subject, [s for _, _, s in earlier])
    setup = await uow.channels.get(issue.org_id, Channel.EMAIL)
    address = str(setup.config.get("address") or "").lower() if setup else ""
    await uow.message_emails.add(
        MessageEmail(
            message_id=message.id,
            org_id=message.org_id,
            issue_id=message.issue_id,
            room=message.room,
            created_at=message.created_at,
            subject=subject,
            sender=address or None,
            to=to,
            cc=cc,
        )
    )


def thread_subject_for(
    issue: Issue, room: Room, given: str | None, earlier: Sequence[str | None]
) -> str:
    """The subject a mail goes under. The public room is one thread: the subject
    of its first mail, else the Issue's (the Customer's own when they wrote by
    email), else the agent's for a new thread. In the private room each subject
    is a thread: the agent's, else the room's last."""
    subjects = [s for s in earlier if s]
    if room is Room.PUBLIC:
        if subjects:
            return subjects[0]
        if issue.source_channel is Channel.EMAIL or not given:
            return issue.subject
        return given
    return given or (subjects[-1] if subjects else issue.subject)


async def outgoing_details(
    uow: UnitOfWork, delivery: Delivery, message: Message, issue: Issue
) -> dict[str, Any]:
    """What an email delivery's Outgoing carries besides the message: the thread
    it continues (earlier Message-IDs of its room under the same subject, oldest
    first) and its subject, the others it goes to, the room a reply returns to,
    the organization's name."""
    details = await uow.message_emails.get(delivery.org_id, message.id)
    organization = await uow.organizations.get(delivery.org_id)
    extra: dict[str, Any] = {
        "issue_id": issue.id,
        "file_names": tuple(a.filename for a in message.attachments),
        "private": message.room is Room.PRIVATE,
        "organization_name": organization.name if organization else "",
    }
    mailed_to = (*details.to, *details.cc) if details else ()
    if message.room is Room.PRIVATE and delivery.recipient not in mailed_to:
        # Not one of a private message's own recipients: an agent told of a mention.
        return extra | await _mention_notice(uow, delivery, message, issue)
    earlier = await uow.message_emails.earlier(delivery.org_id, issue.id, message.room, message.seq)
    subject = details.subject if details and details.subject else issue.subject
    sent = [
        (seq, header_id)
        for seq, header_id, earlier_subject in earlier
        if header_id and (message.room is Room.PUBLIC or earlier_subject == subject)
    ]
    # The public room is one thread with the Customer: their mails are in it too,
    # so a reply answers (In-Reply-To) the mail it follows. A private room's
    # received mail stays out: a collaborator's ids never reach the Customer.
    received = (
        await uow.inbound_mails.earlier(delivery.org_id, issue.id, Room.PUBLIC.value, message.seq)
        if message.room is Room.PUBLIC
        else []
    )
    extra["thread"] = tuple(dict.fromkeys(i for _, i in sorted([*sent, *received])))
    extra["subject"] = subject
    extra["answers_mail"] = message.room is Room.PUBLIC and issue.source_channel is Channel.EMAIL
    if details is not None:
        extra["to_also"] = tuple(a for a in details.to if a != delivery.recipient)
        extra["cc"] = details.cc
    return extra


async def _mention_notice(
    uow: UnitOfWork, delivery: Delivery, message: Message, issue: Issue
) -> dict[str, Any]:
    """The mail that tells an away agent of a mention: the message, who wrote it,
    and that a reply lands in the private room. Automatic: no person sent it."""
    customer = await uow.customers.get(issue.org_id, issue.customer_id)
    about = f" with {customer.name}" if customer else ""
    body = (
        f"{message.author_name} mentioned you on #{issue.reference}{about} "
        f"({issue.subject}):\n\n{message.body}\n\n"
        "Reply to this email to answer in the Issue's private room; the Customer "
        "never sees it."
    )
    return {"private": True, "automatic": True, "body": body, "subject": issue.subject}


async def record_sent(uow: UnitOfWork, delivery: Delivery, header_id: str) -> None:
    """A mail left with `header_id`: replies that name it thread to its Issue."""
    await uow.threads.add(delivery.org_id, Channel.EMAIL, header_id, delivery.issue_id, utcnow())
    await uow.message_emails.set_header_id(delivery.org_id, delivery.message_id, header_id)


# -- the local capture ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DatabaseCapture:
    """Outbound mail kept in the database when no relay is set up."""

    db: Database

    async def keep(
        self,
        org_id: str,
        message_id: str,
        *,
        sender: str,
        recipients: Sequence[str],
        subject: str,
        raw: bytes,
    ) -> None:
        mail = CapturedMail(
            id=new_id(),
            org_id=org_id,
            header_id=message_id,
            sender=sender,
            recipients=tuple(recipients),
            subject=subject,
            created_at=utcnow(),
            raw=raw.decode("ascii", "surrogateescape"),
        )

        async def work(uow: UnitOfWork) -> None:
            await uow.captured_mail.add(mail)

        await self.db.run(work)


@dataclass(frozen=True, slots=True)
class CapturedView:
    mail: CapturedMail
    headers: list[tuple[str, str]]
    text: str | None
    html: str | None  # sanitized


async def list_captured(
    principal: Principal, uow: UnitOfWork, *, before: str | None, limit: int
) -> list[CapturedMail]:
    admin = require_admin(principal)
    return await uow.captured_mail.list(admin.org_id, before=before, limit=limit)


async def read_captured(principal: Principal, uow: UnitOfWork, mail_id: str) -> CapturedView:
    admin = require_admin(principal)
    mail = await uow.captured_mail.get(admin.org_id, mail_id)
    if mail is None:
        raise NotFound("no such captured mail")
    parsed = email.message_from_bytes(
        mail.raw.encode("ascii", "surrogateescape"), policy=email.policy.default
    )
    assert isinstance(parsed, EmailMessage)
    text = parsed.get_body(("plain",))
    markup = parsed.get_body(("html",))
    return CapturedView(
        mail,
        [(name, str(value)) for name, value in parsed.items()],
        text.get_content() if isinstance(text, EmailMessage) else None,
        sanitize_html(markup.get_content()).html if isinstance(markup, EmailMessage) else None,
    )
