"""The SMS adapter as the app wires it: status reports come back to this
server's public URL, on the organization's own status webhook."""

from __future__ import annotations

from caseroom.channels.base import Outbound
from caseroom.channels.sms.twilio import TwilioOutbound
from caseroom.channels.sms.webhooks import status_callback_url
from caseroom.config import Settings
from caseroom.domain.model import Channel
from caseroom.storage.uow import Database, UnitOfWork


def sms_outbound(settings: Settings, db: Database) -> dict[Channel, Outbound]:
    async def callback(org_id: str) -> str | None:
        async def slug(uow: UnitOfWork) -> str | None:
            org = await uow.organizations.get(org_id)
            return org.slug if org else None

        found = await db.read(slug)
        return status_callback_url(settings.public_url, found) if found else None

    return {Channel.SMS: TwilioOutbound(callback, timeout=settings.sms_timeout_seconds)}
