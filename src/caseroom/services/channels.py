"""Use cases on channels: an organization's channel settings (admins; secrets
write-only), and which channels the composer offers for an Issue."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from caseroom.domain.channels import (
    OUTBOUND,
    ChannelOption,
    ChannelSetup,
    check_channel_setup,
    default_channel,
    options_for_issue,
    reply_address,
)
from caseroom.domain.errors import Conflict, NotFound
from caseroom.domain.model import Channel, Issue, Principal
from caseroom.services.audit import audit
from caseroom.services.common import access_issue, require_admin, require_agent, utcnow
from caseroom.storage.uow import UnitOfWork


@dataclass(frozen=True, slots=True)
class IssueChannels:
    options: list[ChannelOption]
    default: Channel


async def list_channel_settings(principal: Principal, uow: UnitOfWork) -> list[ChannelSetup]:
    admin = require_admin(principal)
    found = []
    for channel in (Channel.EMAIL, Channel.SMS, Channel.VIDEO):
        setup = await uow.channels.get(admin.org_id, channel)
        if setup is not None:
            found.append(setup)
    return found


async def put_channel_settings(
    principal: Principal,
    uow: UnitOfWork,
    channel: Channel,
    *,
    enabled: bool,
    config: Mapping[str, str | int | bool],
    secrets: Mapping[str, str | None],
) -> ChannelSetup:
    """Set up `channel`: `config` replaces the readable settings; each secret given
    is set (a null removes it) and the others are kept."""
    admin = require_admin(principal)
    merged = await uow.channels.secrets(admin.org_id, channel)
    for name, value in secrets.items():
        if value is None:
            merged.pop(name, None)
        else:
            merged[name] = value
    checked_config, checked_secrets = check_channel_setup(channel, dict(config), merged)
    if channel is Channel.EMAIL and enabled:
        await _check_mailbox_free(uow, admin.org_id, str(checked_config.get("address", "")))
    await uow.channels.put(
        admin.org_id,
        channel,
        enabled=enabled,
        config=checked_config,
        secrets=checked_secrets,
        now=utcnow(),
    )
    setup = await uow.channels.get(admin.org_id, channel)
    assert setup is not None
    # Which secrets changed, never their values.
    detail = {
        "enabled": enabled,
        "config": checked_config,
        "secrets_set": sorted(n for n, v in secrets.items() if v is not None),
        "secrets_removed": sorted(n for n, v in secrets.items() if v is None),
    }
    await audit(uow, admin.org_id, admin, "channel.update", ("channel", channel.value), detail)
    return setup


async def _check_mailbox_free(uow: UnitOfWork, org_id: str, address: str) -> None:
    """One mailbox, one organization: mail to it must reach exactly one desk."""
    wanted = address.strip().lower()
    for other, config in await uow.channels.enabled_configs(Channel.EMAIL):
        if other != org_id and str(config.get("address") or "").strip().lower() == wanted:
            raise Conflict(
                "another organization receives mail at this address", field="config.address"
            )


async def remove_channel_settings(principal: Principal, uow: UnitOfWork, channel: Channel) -> None:
    admin = require_admin(principal)
    if not await uow.channels.delete(admin.org_id, channel):
        raise NotFound(f"{channel.value} is not set up")
    await audit(uow, admin.org_id, admin, "channel.remove", ("channel", channel.value))


async def channels_for_issue(principal: Principal, uow: UnitOfWork, issue_id: str) -> IssueChannels:
    """The composer's channels for the Issue's public room, each with the reason
    it is unavailable, and the one it starts on."""
    require_agent(principal)
    issue = await access_issue(principal, uow, issue_id)
    options = await issue_options(uow, issue)
    return IssueChannels(options, default_channel(issue, options))


async def issue_options(uow: UnitOfWork, issue: Issue) -> list[ChannelOption]:
    """Every reply channel for the Issue's Customer, enabled or with its reason."""
    customer = await uow.customers.get(issue.org_id, issue.customer_id)
    if customer is None:
        raise NotFound("no such customer")
    configured = await uow.channels.configured(issue.org_id)
    addresses = [
        (channel, address)
        for channel in OUTBOUND
        if (address := reply_address(issue, customer, channel))
    ]
    blocks = await uow.contact_blocks.for_addresses(issue.org_id, addresses)
    return options_for_issue(configured, issue, customer, blocks)
