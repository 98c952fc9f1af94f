"""A Customer starts a conversation: matched or created, an Issue opened (or the
open one continued), the first message stored, and a customer token issued."""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
from dataclasses import dataclass
from datetime import timedelta

from caseroom.domain.errors import Conflict, Forbidden, InvalidInput, NotFound
from caseroom.domain.ids import new_id
from caseroom.domain.model import (
    CHAT_SURFACES,
    Channel,
    ConversationStart,
    Customer,
    CustomerPrincipal,
    GivenContact,
    Issue,
    Principal,
    Room,
    Surface,
)
from caseroom.domain.text import clean_text, normalize_email, normalize_phone
from caseroom.services.auth import IssuedToken, issue_customer_token
from caseroom.services.common import utcnow
from caseroom.services.issues import open_issue
from caseroom.services.messages import NewMessage, Sent, send_message, sender_key
from caseroom.services.sms_numbers import read_in_region
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


def check_chat_surface(surface: Surface | None) -> Surface:
    """The chat page a start names (a label only), or API when it names none."""
    if surface is None:
        return Surface.API
    if surface not in CHAT_SURFACES:
        raise InvalidInput("surface is widget, embed or connect", field="surface")
    return surface


def check_contact(contact: Contact) -> Contact:
    name = clean_text(contact.name, field="name", max_chars=200, multiline=False)
    email = normalize_email(contact.email)
    phone = normalize_phone(contact.phone)
    external_id = contact.external_id.strip() if contact.external_id else None
    if not (email or phone or external_id):
        raise InvalidInput("give an email or a phone number", field="email")
    return Contact(name, email, phone, external_id)


@dataclass(frozen=True, slots=True)
class Matched:
    customer: Customer
    given: GivenContact | None  # what an unverified source typed that differs


async def match_or_create_customer(
    uow: UnitOfWork, org_id: str, contact: Contact, *, verified: bool
) -> Matched:
    """Return the organization's customer with any of these identifiers; create one
    only when nobody matches. A verified source (a signed identity, a proven
    address) fills in identifiers the customer lacks; an unverified one (a form)
    changes nothing stored, and what it gave that differs comes back as `given`,
    for the Issue it opens: otherwise typing someone's email with your own phone
    number would redirect their replies to you."""
    found = await uow.customers.matching(org_id, contact.email, contact.phone, contact.external_id)
    if not found:
        customer = Customer(
            new_id(), org_id, contact.name, contact.email, contact.phone, contact.external_id
        )
        await uow.customers.add(customer, utcnow())
        return Matched(customer, None)
    customer = found[0]
    if not verified:
        return Matched(customer, _differences(customer, contact))
    taken = {(c.email, c.phone, c.external_id) for c in found[1:]}
    filled = dataclasses.replace(
        customer,
        email=customer.email or _unclaimed(contact.email, taken, 0),
        phone=customer.phone or _unclaimed(contact.phone, taken, 1),
        external_id=customer.external_id or _unclaimed(contact.external_id, taken, 2),
    )
    if filled != customer:
        await uow.customers.update_contacts(filled)
    return Matched(filled, None)


def _differences(customer: Customer, contact: Contact) -> GivenContact | None:
    def differs(given: str | None, stored: str | None) -> str | None:
        return given if given and given != stored else None

    given = GivenContact(
        name=differs(contact.name, customer.name),
        email=differs(contact.email, customer.email),
        phone=differs(contact.phone, customer.phone),
    )
    return given if given.as_dict() else None


def _unclaimed(
    value: str | None, taken: set[tuple[str | None, str | None, str | None]], index: int
) -> str | None:
    """`value` unless another customer already holds it."""
    return None if value and any(t[index] == value for t in taken) else value


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


async def start_conversation(
    uow: UnitOfWork,
    org_slug: str,
    contact: Contact,
    *,
    subject: str | None,
    message: str,
    idempotency_key: str | None,
    retry_secret: str | None = None,
    token_ttl: timedelta,
    max_chars: int,
    surface: Surface | None = None,
) -> Started:
    """Open an Issue for whoever filled in the form. Nobody vouched for them, so
    they get a token for this Issue alone and change nothing stored about the
    Customer their details match."""
    org = await uow.organizations.by_slug(org_slug)
    if org is None:
        raise NotFound("no such organization")
    phone = await read_in_region(uow, org.id, contact.phone)
    contact = check_contact(dataclasses.replace(contact, phone=phone))
    body = clean_text(message, field="message", max_chars=max_chars)
    title = _subject_of(subject, body)
    started_on = check_chat_surface(surface)
    if idempotency_key:
        earlier = await uow.starts.get(org.id, idempotency_key)
        if earlier is not None:
            return await _retried_start(uow, earlier, contact, body, retry_secret, token_ttl)
    matched = await match_or_create_customer(uow, org.id, contact, verified=False)
    customer = matched.customer
    now = utcnow()
    issue = await open_issue(
        uow,
        customer,
        subject=title,
        channel=Channel.CHAT,
        now=now,
        given_contact=matched.given,
        surface=started_on,
    )
    token = await issue_customer_token(uow, customer, issue.id, token_ttl)
    principal = CustomerPrincipal(org.id, customer, frozenset({issue.id}), token.credential.id)
    sent = await send_message(
        principal,
        uow,
        issue.id,
        NewMessage(room=Room.PUBLIC, body=body, idempotency_key=idempotency_key),
        max_chars=max_chars,
    )
    if idempotency_key:
        await uow.starts.add(
            ConversationStart(
                org.id,
                idempotency_key,
                secret_hash(retry_secret) if retry_secret else None,
                customer.id,
                issue.id,
                sent.message.id,
                now,
            )
        )
    return Started(customer, issue, sent, token)


async def _retried_start(
    uow: UnitOfWork,
    earlier: ConversationStart,
    contact: Contact,
    body: str,
    retry_secret: str | None,
    token_ttl: timedelta,
) -> Started:
    """The same start sent again after a lost response: the same Issue and message,
    and a token for that Issue, but only to the client that made the start. Anyone
    else reusing the key (a guess, a key read in message JSON) gets a conflict that
    says nothing about the earlier start."""
    if not _proves(earlier, retry_secret):
        raise _key_taken()
    org_id = earlier.org_id
    customer = await uow.customers.get(org_id, earlier.customer_id)
    issue = await uow.issues.get(org_id, earlier.issue_id)
    original = await uow.messages.get(org_id, earlier.message_id)
    if customer is None or issue is None or original is None or original.body != body:
        raise _key_taken()
    matching = await uow.customers.matching(
        org_id, contact.email, contact.phone, contact.external_id
    )
    if customer.id not in {c.id for c in matching}:
        raise _key_taken()
    token = await issue_customer_token(uow, customer, issue.id, token_ttl)
    return Started(customer, issue, Sent(original, False), token)


def _proves(earlier: ConversationStart, retry_secret: str | None) -> bool:
    if retry_secret is None or earlier.secret_sha256 is None:
        return False
    return hmac.compare_digest(earlier.secret_sha256, secret_hash(retry_secret))


def _key_taken() -> Conflict:
    return Conflict(
        "this idempotency_key was already used to start a conversation; a retry must "
        "repeat that request with the same retry_secret, and a new conversation needs "
        "a new key",
        field="idempotency_key",
    )


async def open_another_conversation(
    principal: Principal,
    uow: UnitOfWork,
    *,
    subject: str | None,
    message: str,
    idempotency_key: str | None,
    max_chars: int,
    surface: Surface | None = None,
) -> Opened:
    """A Customer who holds a token starts a new Issue. A token that grants only
    some Issues is granted the new one too; its older history stays closed. A
    token for every Issue comes only from the embed's signed identity, so such a
    start is the embed's whatever the page says."""
    if not isinstance(principal, CustomerPrincipal):
        raise Forbidden("only customers start conversations this way; agents open Issues")
    if principal.issue_ids is not None and principal.credential_id is None:
        raise Forbidden("this customer token cannot start conversations")
    body = clean_text(message, field="message", max_chars=max_chars)
    started_on = Surface.EMBED if principal.issue_ids is None else check_chat_surface(surface)
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
        uow,
        principal.customer,
        subject=title,
        channel=Channel.CHAT,
        now=utcnow(),
        surface=started_on,
    )
    if principal.issue_ids is not None and principal.credential_id is not None:
        await uow.credentials.grant_issue(principal.org_id, principal.credential_id, issue.id)
        principal = dataclasses.replace(principal, issue_ids=principal.issue_ids | {issue.id})
    sent = await send_message(principal, uow, issue.id, new, max_chars=max_chars)
    return Opened(issue, sent)
