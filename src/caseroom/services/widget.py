"""Use cases on an organization's chat widget: its public look, the admin's
changes to it, and the identity secret host apps sign Customers with."""

from __future__ import annotations

import dataclasses
import secrets
from dataclasses import dataclass
from datetime import datetime

from caseroom.domain.errors import NotFound
from caseroom.domain.model import Organization, Principal
from caseroom.domain.widget import WidgetChanges, WidgetSettings, apply_changes
from caseroom.services.audit import audit
from caseroom.services.common import require_admin, require_agent, utcnow
from caseroom.storage.uow import UnitOfWork


@dataclass(frozen=True, slots=True)
class PublicWidget:
    """What a visitor's browser may know about the organization's chat."""

    organization: Organization
    settings: WidgetSettings


@dataclass(frozen=True, slots=True)
class IdentitySecret:
    secret: str | None
    rotated_at: datetime | None


async def public_widget(uow: UnitOfWork, org_slug: str) -> PublicWidget:
    org = await uow.organizations.by_slug(org_slug)
    if org is None:
        raise NotFound("no such organization")
    return PublicWidget(org, await uow.widgets.settings(org.id))


async def get_widget_settings(principal: Principal, uow: UnitOfWork) -> WidgetSettings:
    agent = require_agent(principal)
    return await uow.widgets.settings(agent.org_id)


async def change_widget_settings(
    principal: Principal, uow: UnitOfWork, changes: WidgetChanges
) -> WidgetSettings:
    admin = require_admin(principal)
    updated = apply_changes(await uow.widgets.settings(admin.org_id), changes)
    await uow.widgets.save(admin.org_id, updated, utcnow())
    detail = {k: v for k, v in dataclasses.asdict(changes).items() if v is not None}
    await audit(uow, admin.org_id, admin, "widget.update", ("widget", admin.org_id), detail)
    return updated


async def get_identity_secret(principal: Principal, uow: UnitOfWork) -> IdentitySecret:
    admin = require_admin(principal)
    found = await uow.widgets.identity_secret(admin.org_id)
    return IdentitySecret(*found) if found else IdentitySecret(None, None)


async def rotate_identity_secret(
    principal: Principal, uow: UnitOfWork, *, secret_bytes: int
) -> IdentitySecret:
    """A new secret; tokens signed with the old one stop working at once."""
    admin = require_admin(principal)
    await audit(uow, admin.org_id, admin, "widget.rotate_identity_secret", ("widget", admin.org_id))
    return await do_set_identity_secret(uow, admin.org_id, secret_bytes=secret_bytes)


async def do_set_identity_secret(
    uow: UnitOfWork, org_id: str, *, secret_bytes: int
) -> IdentitySecret:
    secret, now = "cris_" + secrets.token_urlsafe(secret_bytes), utcnow()
    await uow.widgets.set_identity_secret(org_id, secret, now)
    return IdentitySecret(secret, now)
