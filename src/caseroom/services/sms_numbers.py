"""Phone numbers as people type them for an organization: a number without a
country code is read in the organization's SMS region (`default_region`), so
`415.555.0100` and `+1 (415) 555-0100` are one number in a US organization."""

from __future__ import annotations

from caseroom.channels.sms.text import normalize_phone
from caseroom.domain.model import Channel
from caseroom.storage.uow import UnitOfWork


async def sms_region(uow: UnitOfWork, org_id: str) -> str:
    setup = await uow.channels.get(org_id, Channel.SMS)
    return str(setup.config.get("default_region") or "") if setup else ""


async def read_in_region(uow: UnitOfWork, org_id: str, phone: str | None) -> str | None:
    """`phone` in E.164 when it is national and the organization has an SMS region
    (refused with the reason when it is no number there); otherwise as given."""
    if phone is None or not phone.strip() or phone.strip().startswith(("+", "00")):
        return phone
    region = await sms_region(uow, org_id)
    return normalize_phone(phone, region) if region else phone
