"""Verified Customers (microConnect): a host app that signed a Customer in passes
their identity in a token signed with the organization's identity secret; it is
exchanged for a customer token that sees every Issue of that Customer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from caseroom.domain.errors import InvalidInput, NotAuthenticated, NotFound
from caseroom.domain.identity import IdentityClaims, read_identity_token
from caseroom.domain.model import Customer, Issue, Organization
from caseroom.services.auth import CUSTOMER, IssuedToken, issue_token
from caseroom.services.common import utcnow
from caseroom.services.conversations import Contact, check_contact, match_or_create_customer
from caseroom.storage.uow import UnitOfWork


@dataclass(frozen=True, slots=True)
class Verified:
    customer: Customer
    token: IssuedToken
    issues: list[Issue]  # newest first


@dataclass(frozen=True, slots=True)
class IdentityRules:
    token_ttl: timedelta  # of the customer token handed out
    max_age: timedelta  # the longest an identity token may live
    leeway: timedelta  # clock skew forgiven
    issues_limit: int


async def check_identity(
    uow: UnitOfWork, org_slug: str, token: str, rules: IdentityRules
) -> tuple[Organization, Contact]:
    """The Customer a genuine, current identity token names. Reads only: a refused
    token leaves nothing behind."""
    org = await uow.organizations.by_slug(org_slug)
    if org is None:
        raise NotFound("no such organization")
    found = await uow.widgets.identity_secret(org.id)
    if found is None:
        raise NotAuthenticated("this organization has no identity secret, so it verifies no one")
    claims = read_identity_token(
        token,
        found[0],
        audience=org.slug,
        now=utcnow(),
        max_age=rules.max_age,
        leeway=rules.leeway,
    )
    return org, _contact_of(claims)


def _contact_of(claims: IdentityClaims) -> Contact:
    contact = Contact(claims.name, claims.email, claims.phone, claims.external_id)
    try:
        return check_contact(contact)
    except InvalidInput as error:
        raise NotAuthenticated(
            f"the identity token's claims are not usable: {error.detail}"
        ) from None


async def verify_customer(
    uow: UnitOfWork, org_slug: str, token: str, rules: IdentityRules
) -> Verified:
    """Match or create the Customer and issue a customer token for all their Issues."""
    org, contact = await check_identity(uow, org_slug, token, rules)
    customer = (await match_or_create_customer(uow, org.id, contact, verified=True)).customer
    issued = await issue_token(
        uow,
        org_id=org.id,
        kind=CUSTOMER,
        subject_id=customer.id,
        now=utcnow(),
        ttl=rules.token_ttl,
        all_issues=True,
    )
    issues = await uow.issues.for_customer(org.id, customer.id, None, rules.issues_limit)
    return Verified(customer, issued, issues)
