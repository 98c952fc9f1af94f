"""The agent's organization (reply channels, inbox thresholds) and its Customers."""

from __future__ import annotations

from fastapi import APIRouter

from caseroom.domain.channels import ChannelOption
from caseroom.domain.model import Customer, Organization
from caseroom.services import directory
from caseroom.storage.uow import UnitOfWork
from caseroom.web.deps import Context, CurrentPrincipal
from caseroom.web.schemas import ChannelOptionOut, CustomerOut, OrganizationOut

router = APIRouter(prefix="/api/v1", tags=["directory"])


@router.get("/organization", response_model=OrganizationOut)
async def get_organization(principal: CurrentPrincipal, context: Context) -> OrganizationOut:
    """The signed-in agent's organization: the reply channels the composer offers
    (unavailable ones with the reason) and when a waiting card turns amber or red."""

    async def work(uow: UnitOfWork) -> tuple[Organization, list[ChannelOption]]:
        return await directory.get_organization(principal, uow)

    org, channels = await context.db.read(work)
    settings = context.settings
    return OrganizationOut(
        id=org.id,
        slug=org.slug,
        name=org.name,
        channels=[
            ChannelOptionOut(channel=c.channel, enabled=c.enabled, reason=c.reason)
            for c in channels
        ],
        waiting_amber_seconds=settings.waiting_amber_seconds,
        waiting_red_seconds=settings.waiting_red_seconds,
    )


@router.get("/customers/{customer_id}", response_model=CustomerOut)
async def get_customer(
    customer_id: str, principal: CurrentPrincipal, context: Context
) -> CustomerOut:
    """A Customer of the agent's organization (agents only)."""

    async def work(uow: UnitOfWork) -> Customer:
        return await directory.get_customer(principal, uow, customer_id)

    return CustomerOut.of(await context.db.read(work))
