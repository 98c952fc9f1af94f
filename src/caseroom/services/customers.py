"""The Customer panel: who the Customer is, where they wrote from, their Issues,
agents' notes about them, and editing their contact details (agents only); and
the organization's claim-on-reply setting the workspace follows."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from caseroom.domain.errors import Conflict, NotFound
from caseroom.domain.ids import new_id
from caseroom.domain.model import Customer, Issue, Principal
from caseroom.domain.text import clean_text, normalize_email, normalize_phone
from caseroom.services.audit import audit
from caseroom.services.common import require_admin, require_agent, utcnow
from caseroom.storage.customer_notes import CustomerNote
from caseroom.storage.uow import UnitOfWork

EARLIER_ISSUES = 20
MAX_NOTE_CHARS = 2000
MAX_NAME_CHARS = 200


@dataclass(frozen=True, slots=True)
class Profile:
    customer: Customer
    verified: bool  # signed in through the embed: the host app vouched for them
    wrote_from: tuple[str, ...]  # channels, and "embed" when verified
    # Where they started their Issues, newest first: widget, embed, connect, sms,
    # email, api; an Issue from before surfaces were recorded gives its channel.
    surfaces: tuple[str, ...]
    issues: list[Issue]
    notes: list[CustomerNote]


async def _customer(principal: Principal, uow: UnitOfWork, customer_id: str) -> Customer:
    require_agent(principal)
    customer = await uow.customers.get(principal.org_id, customer_id)
    if customer is None:
        raise NotFound("no such customer")
    return customer


async def customer_profile(principal: Principal, uow: UnitOfWork, customer_id: str) -> Profile:
    customer = await _customer(principal, uow, customer_id)
    issues = await uow.issues.for_customer(customer.org_id, customer.id, None, EARLIER_ISSUES)
    verified = customer.external_id is not None
    channels = sorted(
        {i.source_channel.value for i in issues} | {i.reply_channel.value for i in issues}
    )
    wrote_from = (("embed",) if verified else ()) + tuple(channels)
    surfaces = tuple(
        dict.fromkeys(i.surface.value if i.surface else i.source_channel.value for i in issues)
    )
    notes = await uow.customer_notes.for_customer(customer.org_id, customer.id)
    return Profile(customer, verified, wrote_from, surfaces, issues, notes)


async def update_contacts(
    principal: Principal,
    uow: UnitOfWork,
    customer_id: str,
    *,
    name: str | None,
    email: str | None,
    phone: str | None,
    given: frozenset[str],
) -> Customer:
    """Change the fields `given` names (None clears email or phone). A contact
    another Customer already has is refused: two Customers never share one."""
    customer = await _customer(principal, uow, customer_id)
    changed = customer
    if "name" in given and name is not None:
        changed = dataclasses.replace(
            changed, name=clean_text(name, field="name", max_chars=MAX_NAME_CHARS, multiline=False)
        )
    if "email" in given:
        changed = dataclasses.replace(changed, email=normalize_email(email))
    if "phone" in given:
        changed = dataclasses.replace(changed, phone=normalize_phone(phone))
    for field in ("email", "phone"):
        value = getattr(changed, field)
        if value is None or value == getattr(customer, field):
            continue
        if await uow.customer_notes.contact_taken(customer.org_id, customer.id, field, value):
            raise Conflict(f"another Customer already has this {field}", field=field)
    if changed != customer:
        await uow.customers.update_contacts(changed)
    return changed


async def add_note(
    principal: Principal, uow: UnitOfWork, customer_id: str, body: str
) -> CustomerNote:
    agent = require_agent(principal).agent
    customer = await _customer(principal, uow, customer_id)
    note = CustomerNote(
        id=new_id(),
        customer_id=customer.id,
        author_id=agent.id,
        body=clean_text(body, field="body", max_chars=MAX_NOTE_CHARS),
        created_at=utcnow(),
    )
    await uow.customer_notes.add(customer.org_id, note)
    return note


async def set_claim_on_reply(principal: Principal, uow: UnitOfWork, enabled: bool) -> bool:
    """Whether an agent's first public reply claims an Unclaimed Issue (admins)."""
    admin = require_admin(principal)
    await uow.organizations.set_claim_on_reply(admin.org_id, enabled)
    await audit(uow, admin.org_id, admin, "organization.claim_on_reply", None, {"enabled": enabled})
    return enabled
