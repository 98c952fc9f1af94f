"""The one inbound entry point: a message that arrived through a channel (an
email, a text) becomes a message in the right Issue.

The channel adapter has already proved the sender's address (the mail came
from that mailbox, the text from that number), so the contact is matched to a
Customer as a verified source: never duplicated, gaps in their details filled.
The Issue is the one the message's thread references lead to (when it is that
Customer's), else their open one where the channel continues conversations
(SMS), else a new one. The message is stored through the send path as the
Customer, which reopens a resolved Issue and starts a linked successor after a
closed one, and is idempotent by the provider's message id."""

from __future__ import annotations

from dataclasses import dataclass

from caseroom.domain.files import StoredFile
from caseroom.domain.model import Channel, Customer, CustomerPrincipal, Issue, Room
from caseroom.domain.status import OPEN_STATUSES
from caseroom.services.common import utcnow
from caseroom.services.conversations import Contact, check_contact, match_or_create_customer
from caseroom.services.issues import open_issue
from caseroom.services.messages import NewMessage, Sent, send_message
from caseroom.storage.uow import UnitOfWork


@dataclass(frozen=True, slots=True)
class InboundMessage:
    channel: Channel
    org_id: str
    contact: Contact
    address: str  # where it came from, proved by the channel: replies go back there
    provider_id: str  # the provider's id for this message: a redelivery stores nothing new
    body: str
    subject: str | None = None
    thread_refs: tuple[str, ...] = ()  # references that may lead to its Issue
    own_refs: tuple[str, ...] = ()  # references later messages may carry back to it
    continue_open: bool = False  # without a thread match, land in the open Issue
    files: tuple[StoredFile, ...] = ()
    # An Issue the channel proved this message belongs to (a signed reply token,
    # a subject tag): taken first, when it is this Customer's.
    issue_id: str | None = None


async def receive_inbound(uow: UnitOfWork, inbound: InboundMessage, *, max_chars: int) -> Sent:
    contact = check_contact(inbound.contact)
    customer = (
        await match_or_create_customer(uow, inbound.org_id, contact, verified=True)
    ).customer
    issue = await _issue_for(uow, inbound, customer)
    # The channel speaks for this Customer; it grants nothing to anyone.
    principal = CustomerPrincipal(inbound.org_id, customer)
    new = NewMessage(
        room=Room.PUBLIC,
        body=inbound.body,
        channel=inbound.channel,
        idempotency_key=f"{inbound.channel.value}:{inbound.provider_id}"[:128],
        files=inbound.files,
        reply_address=inbound.address,
    )
    sent = await send_message(principal, uow, issue.id, new, max_chars=max_chars)
    now = utcnow()
    for ref in inbound.own_refs:
        await uow.threads.add(inbound.org_id, inbound.channel, ref, sent.message.issue_id, now)
    return sent


async def _issue_for(uow: UnitOfWork, inbound: InboundMessage, customer: Customer) -> Issue:
    org_id = inbound.org_id
    if inbound.issue_id is not None:
        proved = await uow.issues.get(org_id, inbound.issue_id)
        if proved is not None and proved.customer_id == customer.id:
            return proved
    found_id = await uow.threads.issue_for(org_id, inbound.channel, inbound.thread_refs)
    found = await uow.issues.get(org_id, found_id) if found_id else None
    # A reference shared by different senders (a newsletter's) never merges them.
    if found is not None and found.customer_id == customer.id:
        return found
    if inbound.continue_open:
        for issue in await uow.issues.for_customer(org_id, customer.id, None, 20):
            if issue.status in OPEN_STATUSES:
                return issue
    subject = (inbound.subject or inbound.body.strip().split("\n", 1)[0] or "(no subject)")[:120]
    return await open_issue(
        uow,
        customer,
        subject=subject,
        channel=inbound.channel,
        now=utcnow(),
        reply_address=inbound.address,
    )
