"""Channel settings (admins) and the channels the composer offers for an Issue."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Response, status
from pydantic import BaseModel, Field

from caseroom.domain.channels import ChannelSetup
from caseroom.domain.delivery import Delivery
from caseroom.domain.model import Channel
from caseroom.services import channels, deliveries
from caseroom.storage.uow import UnitOfWork
from caseroom.web.deps import Context, CurrentPrincipal
from caseroom.web.schemas import ChannelOptionOut, DeliveryOut, Strict

router = APIRouter(prefix="/api/v1", tags=["channels"])

SettableChannel = Literal["email", "sms", "video"]


class ChannelSettingsIn(Strict):
    enabled: bool = True
    config: dict[str, str | int | bool] = Field(
        default_factory=dict, description="readable settings; replaces the stored ones"
    )
    secrets: dict[str, str | None] = Field(
        default_factory=dict,
        description="write-only: each given secret is set (null removes it), others are kept",
    )


class ChannelSettingsOut(BaseModel):
    channel: str
    enabled: bool
    config: dict[str, str | int | bool]
    secrets_set: list[str] = Field(description="which secrets are set; their values never leave")

    @classmethod
    def of(cls, setup: ChannelSetup) -> ChannelSettingsOut:
        return cls(
            channel=setup.channel.value,
            enabled=setup.enabled,
            config=setup.config,
            secrets_set=sorted(setup.secret_names),
        )


class IssueChannelsOut(BaseModel):
    channels: list[ChannelOptionOut]
    default: str = Field(description="the channel the Customer last wrote through, if usable")


@router.get("/settings/channels", response_model=list[ChannelSettingsOut])
async def list_channel_settings(
    principal: CurrentPrincipal, context: Context
) -> list[ChannelSettingsOut]:
    """Admins only: the organization's channel settings, secrets left out."""

    async def work(uow: UnitOfWork) -> list[ChannelSetup]:
        return await channels.list_channel_settings(principal, uow)

    return [ChannelSettingsOut.of(s) for s in await context.db.read(work)]


@router.put("/settings/channels/{channel}", response_model=ChannelSettingsOut)
async def put_channel_settings(
    channel: SettableChannel, body: ChannelSettingsIn, principal: CurrentPrincipal, context: Context
) -> ChannelSettingsOut:
    """Admins only: set a channel up. Secrets are stored encrypted and never returned."""

    async def work(uow: UnitOfWork) -> ChannelSetup:
        return await channels.put_channel_settings(
            principal,
            uow,
            Channel(channel),
            enabled=body.enabled,
            config=body.config,
            secrets=body.secrets,
        )

    return ChannelSettingsOut.of(await context.db.run(work))


@router.delete("/settings/channels/{channel}", status_code=status.HTTP_204_NO_CONTENT)
async def remove_channel_settings(
    channel: SettableChannel, principal: CurrentPrincipal, context: Context
) -> Response:
    async def work(uow: UnitOfWork) -> None:
        await channels.remove_channel_settings(principal, uow, Channel(channel))

    await context.db.run(work)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/deliveries/{delivery_id}/retry", response_model=DeliveryOut)
async def retry_delivery(
    delivery_id: str, principal: CurrentPrincipal, context: Context
) -> DeliveryOut:
    """Send a failed or bounced delivery again (409 for any other state)."""

    async def work(uow: UnitOfWork) -> Delivery:
        return await deliveries.retry_delivery(principal, uow, delivery_id)

    return DeliveryOut.of(await context.db.run(work))


@router.get("/issues/{issue_id}/channels", response_model=IssueChannelsOut)
async def issue_channels(
    issue_id: str, principal: CurrentPrincipal, context: Context
) -> IssueChannelsOut:
    """The channels an agent can answer this Issue's Customer through, each with
    the reason it is unavailable, and the one the composer starts on."""

    async def work(uow: UnitOfWork) -> channels.IssueChannels:
        return await channels.channels_for_issue(principal, uow, issue_id)

    found = await context.db.read(work)
    return IssueChannelsOut(
        channels=[
            ChannelOptionOut(channel=o.channel, enabled=o.enabled, reason=o.reason)
            for o in found.options
        ],
        default=found.default.value,
    )
