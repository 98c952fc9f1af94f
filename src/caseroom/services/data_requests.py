"""A Customer's data requests: an export of what they may see (their Issues, the
public room's messages and files), and erasure of their personal data from the
organization, the fact of which stays in the audit log.

Erasure anonymizes rather than deletes, so Issue numbers, sequences and the
agents' side of the record stay whole: the Customer becomes "Erased customer"
with no addresses; their own messages lose their text and files; every other
message, edit history and filed transcript of their Issues loses their name,
addresses and external id; the Issues' subjects (taken from their words) go;
their tokens stop working. Opt-outs (a STOP by text, a complaint by email) are
kept: they are what lets the organization keep not writing to that address."""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass

import phonenumbers

from caseroom.domain import events
from caseroom.domain.errors import NotFound
from caseroom.domain.model import (
    AuthorKind,
    Customer,
    CustomerPrincipal,
    Issue,
    Message,
    MessageKind,
    Principal,
    Room,
)
from caseroom.domain.redaction import PatternKind, RedactionPattern, redact_text
from caseroom.domain.visibility import visible_kinds
from caseroom.services.audit import audit
from caseroom.services.auth import CUSTOMER
from caseroom.services.blobs import release_blobs
from caseroom.services.common import require_admin, utcnow
from caseroom.services.notes import QUOTED_FIELDS, do_change_message
from caseroom.services.transcript_filing import schedule_rerender
from caseroom.storage.erasure import ERASED
from caseroom.storage.uow import UnitOfWork

ERASED_NAME = "Erased customer"
ERASED_SUBJECT = "Erased conversation"
_PAGE = 500


@dataclass(frozen=True, slots=True)
class IssueExport:
    issue: Issue
    messages: list[Message]  # the public room as the Customer sees it


@dataclass(frozen=True, slots=True)
class CustomerExport:
    customer: Customer
    issues: list[IssueExport]


@dataclass(frozen=True, slots=True)
class Erasure:
    customer_id: str
    issues: int
    messages_erased: int
    messages_scrubbed: int
    files_removed: int


async def _customer(uow: UnitOfWork, org_id: str, customer_id: str) -> Customer:
    customer = await uow.customers.get(org_id, customer_id)
    if customer is None:
        raise NotFound("no such customer")
    return customer


async def _issues(uow: UnitOfWork, org_id: str, customer_id: str) -> list[Issue]:
    found: list[Issue] = []
    cursor: str | None = None
    while True:
        page = await uow.issues.for_customer(org_id, customer_id, cursor, _PAGE)
        found.extend(page)
        if len(page) < _PAGE:
            return found[::-1]  # oldest first
        cursor = page[-1].id


async def _room(
    uow: UnitOfWork, issue: Issue, room: Room, kinds: frozenset[MessageKind]
) -> list[Message]:
    found: list[Message] = []
    after = 0
    while kinds:
        page = await uow.messages.page(
            issue.org_id, issue.id, room, kinds, after=after, limit=_PAGE
        )
        found.extend(page.messages)
        if not page.has_more:
            break
        after = page.messages[-1].seq
    return found


async def export_customer(
    principal: Principal, uow: UnitOfWork, customer_id: str
) -> CustomerExport:
    """Everything the Customer may see, through the one visibility rule: as if they
    held a token for all their Issues. Never a note, never the private room."""
    admin = require_admin(principal)
    customer = await _customer(uow, admin.org_id, customer_id)
    as_customer = CustomerPrincipal(admin.org_id, customer)
    exported = []
    for issue in await _issues(uow, admin.org_id, customer.id):
        kinds = visible_kinds(as_customer, issue, Room.PUBLIC)
        exported.append(IssueExport(issue, await _room(uow, issue, Room.PUBLIC, kinds)))
    await audit(uow, admin.org_id, admin, "customer.export", ("customer", customer.id))
    return CustomerExport(customer, exported)


def _phone_pattern(phone: str) -> str:
    """The number's digits however they are spaced or punctuated, with or without
    the country code: +1 (415) 555-0188, 415.555.0188, 4155550188."""
    try:
        number = phonenumbers.parse(phone, None)
        national, country = str(number.national_number), str(number.country_code)
    except phonenumbers.NumberParseException:
        national, country = re.sub(r"\D", "", phone), ""
    gap = r"[\s().\-]*"
    digits = gap.join(national)
    return rf"(?:\+?{gap.join(country)}{gap})?{digits}" if country else digits


def _identifiers(customer: Customer) -> list[RedactionPattern]:
    """What names the Customer in free text, matched regardless of case: the full
    name, the first name as a word, the email, the phone however it is written,
    and the external id."""
    texts = [customer.name, customer.email, customer.external_id]
    patterns = [re.escape(t) for t in texts if t and len(t) >= 3]
    if customer.phone:
        patterns.append(_phone_pattern(customer.phone))
    first = customer.name.split()[0] if customer.name.split() else ""
    if len(first) >= 3:
        patterns.append(rf"\b{re.escape(first)}\b")
    return [
        RedactionPattern(f"erase-{n}", "erased", PatternKind.REGEX, f"(?i){p}")
        for n, p in enumerate(patterns)
    ]


async def erase_customer(principal: Principal, uow: UnitOfWork, customer_id: str) -> Erasure:
    admin = require_admin(principal)
    customer = await _customer(uow, admin.org_id, customer_id)
    if customer.name == ERASED_NAME and not (customer.email or customer.phone):
        raise NotFound("no such customer")  # erased already: nothing of them is left
    names = _identifiers(customer)
    now = utcnow()
    issues = await _issues(uow, admin.org_id, customer.id)
    erased = scrubbed = 0
    own: list[str] = []
    for issue in issues:
        for room in Room:
            for message in await _room(uow, issue, room, frozenset(MessageKind)):
                theirs = (
                    message.author_kind is AuthorKind.CUSTOMER and message.author_id == customer.id
                )
                # A bot's message is made of the conversation (a summary, a hand-off
                # note quoting the Customer): it goes with their words.
                derived = message.author_kind is AuthorKind.BOT
                body = ERASED if theirs or derived else redact_text(message.body, names)
                if theirs:
                    own.append(message.id)
                if body == message.body and not theirs:
                    continue
                await _rewrite_history(uow, issue, message, names, erase_all=theirs or derived)
                changed = dataclasses.replace(message, body=body, redacted_at=now)
                await do_change_message(uow, issue, changed, "message.redacted")
                erased, scrubbed = erased + theirs, scrubbed + (not theirs)
        if issue.subject != ERASED_SUBJECT:  # it was taken from the Customer's words
            issue = dataclasses.replace(issue, subject=ERASED_SUBJECT)
            await uow.issues.save(issue, now)
            uow.emit(events.issue_changed("issue.updated", issue, ["subject"]))
        filed = await uow.transcripts.for_issue(issue.org_id, issue.id)
        targets = tuple(dict.fromkeys((f.resolution_id, f.room) for f in filed))
        await schedule_rerender(uow, issue, targets, message_id=None, now=now)
    issue_ids = [i.id for i in issues]
    await uow.erasure.forget_addresses(admin.org_id, issue_ids)
    await uow.webhook_deliveries.forget_payloads(admin.org_id, issue_ids)
    await uow.bots.forget_suggestions(admin.org_id, issue_ids)
    await uow.erasure.rename_author(admin.org_id, customer.id, ERASED_NAME)
    await uow.calls.rename_customer(admin.org_id, issue_ids, customer.id, ERASED_NAME)
    blobs = await uow.erasure.remove_files(admin.org_id, own)
    blobs += await uow.inbound_mails.erase(admin.org_id, issue_ids)  # their mails' originals
    await release_blobs(uow, admin.org_id, blobs, now)
    anonymous = Customer(customer.id, customer.org_id, ERASED_NAME)
    await uow.customers.update_contacts(anonymous)
    await uow.people.revoke_credentials(admin.org_id, customer.id, (CUSTOMER,), now)
    result = Erasure(customer.id, len(issues), erased, scrubbed, len(blobs))
    detail = {k: v for k, v in dataclasses.asdict(result).items() if k != "customer_id"}
    await audit(uow, admin.org_id, admin, "customer.erase", ("customer", customer.id), detail)
    return result


async def _rewrite_history(
    uow: UnitOfWork,
    issue: Issue,
    message: Message,
    names: list[RedactionPattern],
    *,
    erase_all: bool,
) -> None:
    """Edits keep earlier texts in the activity log: those go the same way."""
    for entry in await uow.activity.for_message(issue.org_id, issue.id, message.id):
        detail = {
            key: (ERASED if erase_all else redact_text(str(value), names))
            if key in QUOTED_FIELDS
            else value
            for key, value in entry.detail.items()
        }
        if detail != entry.detail:
            await uow.activity.replace_detail(dataclasses.replace(entry, detail=detail))
