"""A Customer starts a conversation: matched or created, an Issue opened (or the
open one continued), the first message stored, and a customer token issued."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import timedelta

from caseroom.domain.errors import Forbidden, InvalidInput, NotFound
from caseroom.domain.ids import new_id
from caseroom.domain.model import Channel, Customer, CustomerPrincipal, Issue, Principal, Room
from caseroom.domain.text import clean_text, normalize_email, normalize_phone
from caseroom.services.auth import IssuedToken, issue_customer_token
from caseroom.services.common import utcnow
from caseroom.services.issues import open_issue
from caseroom.services.messages import NewMessage, Sent, send_message, sender_key
from caseroom.storage.uow import UnitOfWork


@dataclass(frozen=True, slots=True)
class Contact:
    name: str
    email: str | None = None
    phone: str | None = None
    external_id: str | None = None


@dataclass(frozen=True, slots=True)
class Opened:
    issue: Issue
    sent: Sent


@dataclass(frozen=True, slots=True)
class Started:
    customer: Customer
    issue: Issue
    sent: Sent
    token: IssuedToken


def _subject_of(subject: str | None, body: str) -> str:
    return clean_text(subject or body.splitlines()[0], field="subject", max_chars=300)[:120]


def check_contact(contact: Contact) -> Contact:
    name = clean_text(contact.name, field="name", max_chars=200, multiline=False)
    email = normalize_email(contact.email)
    phone = normalize_phone(contact.phone)
    external_id = contact.external_id.strip() if contact.external_id else None
    if not (email or phone or external_id):
        raise InvalidInput("give an email or a phone number", field="email")
    return Contact(name, email, phone, external_id)


async def match_or_create_customer(uow: UnitOfWork, org_id: str, contact: Contact) -> Customer:
    """Return the organization's customer with any of these identifiers, filling in
    identifiers it lacks; create one only when nobody matches."""
    found = await uow.customers.matching(org_id, contact.email, contact.phone, contact.external_id)
    now = utcnow()
    if not found:
        customer = Customer(
            new_id(), org_id, contact.name, contact.email, contact.phone, contact.external_id
        )
        await uow.customers.add(customer, now)
        return customer
    customer = found[0]
    taken = {(c.email, c.phone, c.external_id) for c in found[1:]}
    filled = dataclasses.replace(
        customer,
        email=customer.email or _unclaimed(contact.email, taken, 0),
        phone=customer.phone or _unclaimed(contact.phone, taken, 1),
        external_id=customer.external_id or _unclaimed(contact.external_id, taken, 2),
    )
    if filled != customer:
        await uow.customers.update_contacts(filled)
    return filled


def _unclaimed(
    value: str | None, taken: set[tuple[str | None, str | None, str | None]], index: int
) -> str | None:
    """`value` unless another customer already holds it."""
    return None if value and any(t[index] == value for t in taken) else value


async def start_conversation(
    uow: UnitOfWork,
    org_slug: str,
    contact: Contact,
    *,
    subject: str | None,
    message: str,
    idempotency_key: str | None,
    token_ttl: timedelta,
    max_chars: int,
) -> Started:
    org = await uow.organizations.by_slug(org_slug)
    if org is None:
        raise NotFound("no such organization")
    contact = check_contact(contact)
    body = clean_text(message, field="message", max_chars=max_chars)
    title = _subject_of(subject, body)
    customer = await match_or_create_customer(uow, org.id, contact)
    if idempotency_key:
        retried = await _retried_start(uow, customer, idempotency_key, token_ttl)
        if retried is not None:
            return retried
    # An unverified start never opens the customer's existing Issues to whoever
    # typed their email: it gets an Issue of its own and a token for it alone.
    issue = await open_issue(uow, customer, subject=title, channel=Channel.CHAT, now=utcnow())
    token = await issue_customer_token(uow, customer, issue.id, token_ttl)
    principal = CustomerPrincipal(org.id, customer, frozenset({issue.id}), token.credential.id)
    sent = await send_message(
        principal,
        uow,
        issue.id,
        NewMessage(room=Room.PUBLIC, body=body, idempotency_key=idempotency_key),
        max_chars=max_chars,
    )
    return Started(customer, issue, sent, token)


async def _retried_start(
    uow: UnitOfWork, customer: Customer, idempotency_key: str, token_ttl: timedelta
) -> Started | None:
    """The same start sent again (a lost response): the same Issue and message."""
    original = await uow.messages.by_idempotency_key(
        customer.org_id, sender_key(CustomerPrincipal(customer.org_id, customer)), idempotency_key
    )
    if original is None:
        return None
    issue = await uow.issues.get(customer.org_id, original.issue_id)
    if issue is None:
        return None
    token = await issue_customer_token(uow, customer, issue.id, token_ttl)
    return Started(customer, issue, Sent(original, False), token)


async def open_another_conversation(
    principal: Principal,
    uow: UnitOfWork,
    *,
    subject: str | None,
    message: str,
    idempotency_key: str | None,
    max_chars: int,
) -> Opened:
    """A Customer who holds a token starts a new Issue. A token that grants only
    some Issues is granted the new one too; its older history stays closed."""
    if not isinstance(principal, CustomerPrincipal):
        raise Forbidden("only customers start conversations this way; agents open Issues")
    if principal.issue_ids is not None and principal.credential_id is None:
        raise Forbidden("this customer token cannot start conversations")
    body = clean_text(message, field="message", max_chars=max_chars)
    new = NewMessage(room=Room.PUBLIC, body=body, idempotency_key=idempotency_key)
    if idempotency_key:
        original = await uow.messages.by_idempotency_key(
            principal.org_id, sender_key(principal), idempotency_key
        )
        if original is not None:
            sent = await send_message(principal, uow, original.issue_id, new, max_chars=max_chars)
            issue = await uow.issues.get(principal.org_id, sent.message.issue_id)
            assert issue is not None
            return Opened(issue, sent)
    title = _subject_of(subject, body)
    issue = await open_issue(
        uow, principal.customer, subject=title, channel=Channel.CHAT, now=utcnow()
    )
    if principal.issue_ids is not None and principal.credential_id is not None:
        await uow.credentials.grant_issue(principal.org_id, principal.credential_id, issue.id)
        principal = dataclasses.replace(principal, issue_ids=principal.issue_ids | {issue.id})
    sent = await send_message(principal, uow, issue.id, new, max_chars=max_chars)
    return Opened(issue, sent)
