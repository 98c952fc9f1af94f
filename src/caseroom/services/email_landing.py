"""Where an inbound email lands, stored in the caller's transaction: matched to
its Issue, in the room its sender may write in, with what the console shows of
it. The rules are in docs/email.md ("Receiving mail") and in
`services/email_inbound.py`, which hands mails here."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from caseroom.channels.email.loops import (
    ComplaintReport,
    DeliveryReport,
    MachineKind,
    MachineMail,
    classify,
    parse_report,
)
from caseroom.channels.email.mailboxes import (
    mailbox_index,
    reply_token_secret,
    token_target,
)
from caseroom.channels.email.parsing import ParsedMail
from caseroom.channels.email.quoting import fold_quotes
from caseroom.channels.email.threading import ReplyTarget, base_subject, subject_reference
from caseroom.domain.channels import reply_address
from caseroom.domain.delivery import Delivery, DeliveryState
from caseroom.domain.files import StoredFile
from caseroom.domain.ids import new_id
from caseroom.domain.model import (
    Agent,
    AuthorKind,
    Channel,
    Customer,
    Issue,
    Message,
    MessageKind,
    Room,
)
from caseroom.services import deliveries
from caseroom.services.common import utcnow
from caseroom.services.conversations import Contact, match_or_create_customer
from caseroom.services.inbound import InboundMessage, receive_inbound
from caseroom.services.issues import open_issue
from caseroom.services.messages import NewMessage, append_message
from caseroom.storage.blobs import StagedBlob
from caseroom.storage.inbound_mails import InboundMail
from caseroom.storage.uow import UnitOfWork

# Machine mail that may follow a reference whoever sent it: it answers mail we
# sent. A list's or bulk sender's references never lead anywhere but its own Issues.
_FOLLOWS_ANY_REFERENCE = frozenset(
    {
        MachineKind.AUTO_REPLY,
        MachineKind.LOOP,
        MachineKind.DAEMON,
        MachineKind.DELIVERY_REPORT,
        MachineKind.COMPLAINT,
    }
)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_CID_SRC = re.compile(r"""(src\s*=\s*["']?)cid:([^"'\s>]+)""", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class IntakeLimits:
    max_chars: int
    max_file_bytes: int
    max_files: int
    max_filename_chars: int


@dataclass(frozen=True, slots=True)
class StoredMail:
    org_id: str
    issue_id: str
    message_id: str
    room: Room
    created: bool  # False for a copy of a mail already stored
    machine: bool


@dataclass
class StagedFiles:
    """One organization's copies of the mail's files, staged in the blob store."""

    files: list[tuple[StagedBlob, StoredFile, str | None]] = field(default_factory=list)
    eml: tuple[StagedBlob, StoredFile] | None = None
    left_out: list[str] = field(default_factory=list)

    @property
    def blobs(self) -> list[StagedBlob]:
        return [b for b, _, _ in self.files] + ([self.eml[0]] if self.eml else [])


async def token_secret(uow: UnitOfWork, org_id: str, installation_key: str) -> bytes:
    return reply_token_secret(
        org_id, await uow.channels.secrets(org_id, Channel.EMAIL), installation_key
    )


def own_loop_value(mailbox: str) -> str:
    """The X-Loop value our outgoing mail carries: the organization's mailbox."""
    return mailbox.strip().lower()


async def store_mail(
    uow: UnitOfWork,
    org_id: str,
    parsed: ParsedMail,
    raw: bytes,
    rcpt_tos: tuple[str, ...],
    staged: StagedFiles,
    limits: IntakeLimits,
    installation_key: str,
) -> StoredMail:
    """Store one organization's copy of a mail (see the module's rules)."""
    mail_id = parsed.message_id or f"no-message-id.{parsed.content_hash[:32]}"
    key = f"{mail_id}:{parsed.content_hash[:16]}"
    copy = await uow.inbound_mails.find(org_id, mail_id, parsed.content_hash)
    if copy is not None:
        found = await uow.messages.get(org_id, copy.message_id)
        room = found.room if found else Room.PUBLIC
        return StoredMail(
            org_id, copy.issue_id, copy.message_id, room, False, bool(copy.machine_kinds)
        )
    configs = await uow.channels.enabled_configs(Channel.EMAIL)
    mailboxes = mailbox_index(configs)
    own = [a for a, o in mailboxes.items() if o == org_id]
    machine = classify(parsed, own_loop=own_loop_value(own[0]) if own else None)
    if parsed.sender.address in own:  # our own mail came back: a loop
        reasons = (*(machine.reasons if machine else ()), f"From: {parsed.sender.address}")
        kinds = (machine.kinds if machine else frozenset()) | {MachineKind.LOOP}
        machine = MachineMail(frozenset(kinds), reasons)
    secret = await token_secret(uow, org_id, installation_key)
    target = token_target((*rcpt_tos, *parsed.recipients), org_id, mailboxes, secret)
    refs = tuple(dict.fromkeys(r for r in (parsed.in_reply_to, *parsed.references) if r))
    sender = parsed.sender.address
    if machine is not None:
        return await _store_machine_mail(
            uow, org_id, parsed, raw, (mail_id, key), machine, target, refs, staged, limits
        )
    agent = await _agent_with_address(uow, org_id, sender)
    issue = await _token_issue(uow, org_id, target)
    if issue is not None and target is not None and target.room is Room.PRIVATE:
        customer = await uow.customers.get(org_id, issue.customer_id)
        if customer is None or (customer.email or "").lower() != sender:
            return await _store_private(uow, issue, parsed, mail_id, key, agent, staged, limits)
    if agent is not None:
        answered = issue or await _issue_by_refs(uow, org_id, refs)
        if answered is not None:
            customer = await uow.customers.get(org_id, answered.customer_id)
            copied = {a.address for a in (*parsed.to, *parsed.cc)}
            if customer is not None and reply_address(answered, customer, Channel.EMAIL) in copied:
                return await _store_outside_reply(
                    uow, answered, agent, parsed, mail_id, key, staged, limits
                )
            # Written to the desk about the Issue, not to the Customer (a forward):
            # it stays with the agents.
            return await _store_private(uow, answered, parsed, mail_id, key, agent, staged, limits)
    if issue is None:
        issue = await _tagged_issue(uow, org_id, parsed.subject, sender)
    visible, folded = _visible_text(parsed, staged, limits.max_chars)
    inbound = InboundMessage(
        channel=Channel.EMAIL,
        org_id=org_id,
        contact=Contact(name=_name(parsed), email=sender),
        address=sender,
        provider_id=key,
        body=visible,
        subject=base_subject(parsed.subject) or None,
        thread_refs=refs,
        own_refs=(mail_id,),
        files=tuple(f for _, f, _ in staged.files),
        issue_id=issue.id if issue else None,
    )
    sent = await receive_inbound(uow, inbound, max_chars=limits.max_chars)
    message = sent.message
    if sent.created:
        await _remember(uow, message, parsed, mail_id, staged, folded, None)
        await _keep_original(uow, message.issue_id, org_id, parsed, staged)
    return StoredMail(org_id, message.issue_id, message.id, Room.PUBLIC, sent.created, False)


async def _store_machine_mail(
    uow: UnitOfWork,
    org_id: str,
    parsed: ParsedMail,
    raw: bytes,
    ids: tuple[str, str],
    machine: MachineMail,
    target: ReplyTarget | None,
    refs: tuple[str, ...],
    staged: StagedFiles,
    limits: IntakeLimits,
) -> StoredMail:
    """Machine mail lands in the private room of the Issue it is about, as the
    system: nothing reopens, nobody is notified, nothing answers it."""
    mail_id, key = ids
    reports = {MachineKind.DELIVERY_REPORT, MachineKind.COMPLAINT, MachineKind.DAEMON}
    report = parse_report(raw) if machine.kinds & reports else None
    issue_id = await _apply_report(uow, org_id, report) if report is not None else None
    issue = await uow.issues.get(org_id, issue_id) if issue_id else None
    issue = issue or await _token_issue(uow, org_id, target)
    if issue is None and machine.kinds & _FOLLOWS_ANY_REFERENCE:
        issue = await _issue_by_refs(uow, org_id, refs)
        if issue is None and report is not None and report.original_message_id:
            issue = await _issue_by_refs(uow, org_id, (report.original_message_id,))
    customer: Customer | None = None
    if issue is None:
        contact = Contact(name=_name(parsed), email=parsed.sender.address)
        customer = (await match_or_create_customer(uow, org_id, contact, verified=True)).customer
        by_ref = await _issue_by_refs(uow, org_id, refs)
        if by_ref is not None and by_ref.customer_id == customer.id:
            issue = by_ref
    if issue is None:
        assert customer is not None
        subject = base_subject(parsed.subject) or "(automatic mail)"
        issue = await open_issue(
            uow, customer, subject=subject[:120], channel=Channel.EMAIL, now=utcnow()
        )
    visible, folded = _visible_text(parsed, staged, limits.max_chars - 200)
    kinds = ", ".join(sorted(k.value for k in machine.kinds))
    body = f"Automatic mail ({kinds}) from {parsed.sender.address}: {parsed.subject}\n\n{visible}"
    message = await _append(
        uow,
        issue,
        Room.PRIVATE,
        body[: limits.max_chars],
        staged,
        author=(AuthorKind.SYSTEM, None, _name(parsed)),
        key=key,
        with_eml=True,
    )
    await _remember(uow, message, parsed, mail_id, staged, folded, machine)
    return StoredMail(org_id, issue.id, message.id, Room.PRIVATE, True, True)


async def _apply_report(
    uow: UnitOfWork, org_id: str, report: DeliveryReport | ComplaintReport
) -> str | None:
    """A bounce marks the original email's delivery bounced (with the status line)
    and the address as bouncing; a complaint suppresses the address. Returns the
    original's Issue, when the report named one we sent."""
    now = utcnow()
    original = report.original_message_id
    if isinstance(report, ComplaintReport):
        for address in report.complainants:
            detail = f"complaint ({report.feedback_type})"
            await uow.contact_blocks.block(
                org_id, Channel.EMAIL, address, "complained", detail, now
            )
        found = await _delivery_for(uow, org_id, original) if original else None
        return found.issue_id if found else None
    issue_id = None
    for recipient in report.failed:
        status_line = " ".join(filter(None, [recipient.status, recipient.diagnostic]))
        if original:
            delivery = await _delivery_for(uow, org_id, original)
            if delivery is not None:
                issue_id = delivery.issue_id
                await deliveries.report(
                    uow,
                    org_id,
                    delivery.id,
                    DeliveryState.BOUNCED,
                    error_code=recipient.status,
                    error=(status_line or "bounced")[:1000],
                )
        if recipient.permanent:
            await uow.contact_blocks.block(
                org_id, Channel.EMAIL, recipient.recipient, "bouncing", status_line[:1000], now
            )
    if issue_id is None and original:
        found = await _delivery_for(uow, org_id, original)
        issue_id = found.issue_id if found else None
    return issue_id


async def _delivery_for(uow: UnitOfWork, org_id: str, message_id: str) -> Delivery | None:
    """The delivery of our email with this Message-ID (recorded bare or in angle
    brackets)."""
    bare = message_id.strip().strip("<>")
    for form in (bare, f"<{bare}>"):
        found = await uow.deliveries.by_provider_id(org_id, Channel.EMAIL, form)
        if found is not None:
            return found
    return None


async def _store_private(
    uow: UnitOfWork,
    issue: Issue,
    parsed: ParsedMail,
    mail_id: str,
    key: str,
    agent: Agent | None,
    staged: StagedFiles,
    limits: IntakeLimits,
) -> StoredMail:
    """A reply to the private room's mail: as the agent whose address wrote it,
    else as the outside collaborator named by the mail."""
    visible, folded = _visible_text(parsed, staged, limits.max_chars)
    author = (
        (AuthorKind.AGENT, agent.id, agent.name)
        if agent is not None
        else (AuthorKind.SYSTEM, None, f"{_name(parsed)} <{parsed.sender.address}>"[:200])
    )
    message = await _append(
        uow, issue, Room.PRIVATE, visible, staged, author=author, key=key, with_eml=True
    )
    await _remember(uow, message, parsed, mail_id, staged, folded, None)
    await uow.threads.add(issue.org_id, Channel.EMAIL, mail_id, issue.id, utcnow())
    return StoredMail(issue.org_id, issue.id, message.id, Room.PRIVATE, True, False)


async def _store_outside_reply(
    uow: UnitOfWork,
    issue: Issue,
    agent: Agent,
    parsed: ParsedMail,
    mail_id: str,
    key: str,
    staged: StagedFiles,
    limits: IntakeLimits,
) -> StoredMail:
    """An agent answered the Customer from another mail client, copying the
    mailbox: the answer joins the public room as that agent, and its delivery is
    recorded as sent already, so the outbox never sends it a second time."""
    visible, folded = _visible_text(parsed, staged, limits.max_chars)
    message = await _append(
        uow,
        issue,
        Room.PUBLIC,
        visible,
        staged,
        author=(AuthorKind.AGENT, agent.id, agent.name),
        key=key,
        with_eml=False,
    )
    customer = await uow.customers.get(issue.org_id, issue.customer_id)
    recipient = reply_address(issue, customer, Channel.EMAIL) if customer else None
    if recipient is not None:
        now = utcnow()
        await uow.deliveries.add(
            Delivery(
                id=new_id(),
                org_id=issue.org_id,
                issue_id=issue.id,
                message_id=message.id,
                channel=Channel.EMAIL,
                recipient=recipient,
                state=DeliveryState.SENT,
                created_at=now,
                updated_at=now,
                provider_id=mail_id,
            )
        )
    await _remember(uow, message, parsed, mail_id, staged, folded, None)
    await _keep_original(uow, issue.id, issue.org_id, parsed, staged)
    await uow.threads.add(issue.org_id, Channel.EMAIL, mail_id, issue.id, utcnow())
    return StoredMail(issue.org_id, issue.id, message.id, Room.PUBLIC, True, False)


async def _append(
    uow: UnitOfWork,
    issue: Issue,
    room: Room,
    body: str,
    staged: StagedFiles,
    *,
    author: tuple[AuthorKind, str | None, str],
    key: str,
    with_eml: bool,
) -> Message:
    locked = await uow.issues.get(issue.org_id, issue.id, for_update=True) or issue
    files = [f for _, f, _ in staged.files]
    if with_eml and staged.eml is not None:
        files.append(staged.eml[1])
    kind, author_id, name = author
    return await append_message(
        uow,
        locked,
        NewMessage(
            room=room,
            body=body,
            channel=Channel.EMAIL,
            idempotency_key=f"email:{key}"[:128],
            files=tuple(files),
        ),
        author_kind=kind,
        author_id=author_id,
        author_name=name[:200],
        sender=f"email:{author_id or 'outside'}"[:48],
        now=utcnow(),
    )


async def _keep_original(
    uow: UnitOfWork, issue_id: str, org_id: str, parsed: ParsedMail, staged: StagedFiles
) -> None:
    """The original .eml of a public-room mail, as an agents-only file."""
    if staged.eml is None:
        return
    issue = await uow.issues.get(org_id, issue_id, for_update=True)
    if issue is None:
        return
    await append_message(
        uow,
        issue,
        NewMessage(
            room=Room.PRIVATE,
            body=f"The original mail from {parsed.sender.address}",
            kind=MessageKind.EVENT,
            channel=Channel.SYSTEM,
            files=(staged.eml[1],),
        ),
        author_kind=AuthorKind.SYSTEM,
        author_id=None,
        author_name="caseroom",
        sender=None,
        now=utcnow(),
    )


async def _remember(
    uow: UnitOfWork,
    message: Message,
    parsed: ParsedMail,
    mail_id: str,
    staged: StagedFiles,
    folded: str,
    machine: MachineMail | None,
) -> None:
    await uow.inbound_mails.add(
        InboundMail(
            message_id=message.id,
            org_id=message.org_id,
            issue_id=message.issue_id,
            mail_id=mail_id,
            content_hash=parsed.content_hash,
            sender=parsed.sender.address,
            to=tuple(a.address for a in parsed.to),
            cc=tuple(a.address for a in parsed.cc),
            subject=parsed.subject,
            created_at=message.created_at,
            html=_link_inline_images(parsed.html, message, staged),
            quoted=folded or None,
            machine_kinds=tuple(sorted(k.value for k in machine.kinds)) if machine else (),
            machine_reasons=machine.reasons if machine else (),
            original_sha256=staged.eml[1].sha256 if staged.eml else None,
        )
    )


def _link_inline_images(html: str | None, message: Message, staged: StagedFiles) -> str | None:
    """`cid:` images point at the message's own copies of them."""
    if html is None:
        return None
    by_cid: dict[str, str] = {}
    for (_, _, content_id), attachment in zip(staged.files, message.attachments, strict=False):
        if content_id:
            by_cid[content_id.lower()] = (
                f"/api/v1/issues/{message.issue_id}/attachments/{attachment.id}/content"
            )

    def swap(found: re.Match[str]) -> str:
        url = by_cid.get(found.group(2).strip("<>").lower())
        return f"{found.group(1)}{url}" if url else found.group(0)

    return _CID_SRC.sub(swap, html)


def _visible_text(parsed: ParsedMail, staged: StagedFiles, max_chars: int) -> tuple[str, str]:
    """(what the message shows, the folded quote): within the length limit, with
    a line for files left out; never empty."""
    text = _CONTROL.sub("", unicodedata.normalize("NFC", parsed.text)).strip()
    folded = fold_quotes(text, subject=parsed.subject)
    visible = folded.visible.strip()
    if staged.left_out:
        visible += "\n\n[Files left out: " + "; ".join(staged.left_out) + "]"
    if len(visible) > max_chars:
        cut = "\n\n[The rest is in the original mail.]"
        visible = visible[: max_chars - len(cut)].rstrip() + cut
    if not visible.strip() and not staged.files:
        visible = base_subject(parsed.subject) or "(empty mail)"
    return visible.strip(), _CONTROL.sub("", folded.folded)


def _name(parsed: ParsedMail) -> str:
    name = _CONTROL.sub("", parsed.sender.name).strip()
    return (name or parsed.sender.address.split("@")[0])[:200]


async def _agent_with_address(uow: UnitOfWork, org_id: str, address: str) -> Agent | None:
    for agent, _ in await uow.agents.with_password_by_email(address):
        if agent.org_id == org_id and agent.active:
            return agent
    return None


async def _token_issue(uow: UnitOfWork, org_id: str, target: ReplyTarget | None) -> Issue | None:
    return await uow.issues.get(org_id, target.issue_id) if target else None


async def _issue_by_refs(uow: UnitOfWork, org_id: str, refs: tuple[str, ...]) -> Issue | None:
    found = await uow.threads.issue_for(org_id, Channel.EMAIL, refs)
    return await uow.issues.get(org_id, found) if found else None


async def _tagged_issue(uow: UnitOfWork, org_id: str, subject: str, sender: str) -> Issue | None:
    """The Issue a `[#REF]` subject tag names, only when the sender is already its
    Customer: a tag is easy to copy, so it never lets anyone else in."""
    reference = subject_reference(subject)
    issue = await uow.issues.by_reference(org_id, reference) if reference else None
    if issue is None:
        return None
    customer = await uow.customers.get(org_id, issue.customer_id)
    return issue if customer is not None and (customer.email or "").lower() == sender else None
