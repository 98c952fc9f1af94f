"""The channels an agent can reply through, and why one is unavailable."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from caseroom.domain.errors import InvalidInput
from caseroom.domain.model import Channel, Customer, Issue

# What the composer offers, in the order it offers it.
REPLY_CHANNELS = (Channel.CHAT, Channel.SMS, Channel.EMAIL, Channel.VIDEO)
ALWAYS_AVAILABLE = frozenset({Channel.CHAT})
# Channels whose messages leave through a provider: each gets a delivery record.
OUTBOUND = frozenset({Channel.EMAIL, Channel.SMS})
# What each outbound channel addresses a Customer by.
ADDRESS_FIELD = {Channel.EMAIL: "email", Channel.SMS: "phone"}

NOT_SET_UP = "not set up for this organization"
NO_ADDRESS = {
    Channel.EMAIL: "no email address for this Customer",
    Channel.SMS: "no phone number for this Customer",
}
BLOCKED = {
    "opted_out": "the Customer opted out of this channel",
    "bouncing": "messages to this address bounce",
    "complained": "the Customer reported these messages as unwanted",
}
# The same reasons said of anyone mailed from the private room (a colleague, a
# collaborator): why their address is not mailed.
SUPPRESSED = {
    "bouncing": "mail to this address bounces",
    "complained": "its owner reported our mail as unwanted",
}


@dataclass(frozen=True, slots=True)
class ChannelOption:
    channel: Channel
    enabled: bool
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class ChannelSetup:
    """An organization's settings for one channel. `config` is readable by admins;
    the secrets are write-only and live encrypted beside it."""

    org_id: str
    channel: Channel
    enabled: bool
    config: dict[str, Any] = field(default_factory=dict)
    secret_names: frozenset[str] = frozenset()  # which secrets are set (never their values)


def channel_options(configured: frozenset[Channel]) -> list[ChannelOption]:
    """Every reply channel, enabled when chat or set up by the organization."""
    usable = ALWAYS_AVAILABLE | configured
    return [
        ChannelOption(c, True) if c in usable else ChannelOption(c, False, NOT_SET_UP)
        for c in REPLY_CHANNELS
    ]


def reply_address(issue: Issue, customer: Customer, channel: Channel) -> str | None:
    """Where a reply on `channel` goes: the address the Customer last wrote from on
    it, else the one stored on the Customer."""
    if channel is issue.reply_channel and issue.reply_address:
        return issue.reply_address
    name = ADDRESS_FIELD.get(channel)
    value = getattr(customer, name) if name else None
    return value if isinstance(value, str) else None


def options_for_issue(
    configured: frozenset[Channel],
    issue: Issue,
    customer: Customer,
    blocks: dict[tuple[Channel, str], str],
) -> list[ChannelOption]:
    """The composer's channels for this Issue's public room: each enabled, or not
    with the reason (not set up, no address for the Customer, blocked)."""
    options = []
    for option in channel_options(configured):
        if option.enabled and option.channel in OUTBOUND:
            address = reply_address(issue, customer, option.channel)
            if address is None:
                option = ChannelOption(option.channel, False, NO_ADDRESS[option.channel])
            elif (reason := blocks.get((option.channel, address))) is not None:
                option = ChannelOption(option.channel, False, BLOCKED.get(reason, reason))
        options.append(option)
    return options


def default_channel(issue: Issue, options: list[ChannelOption]) -> Channel:
    """The channel the composer starts on: the one the Customer last wrote through,
    if an agent can answer there, else chat."""
    usable = {o.channel for o in options if o.enabled}
    return issue.reply_channel if issue.reply_channel in usable else Channel.CHAT


# What each channel's setup may hold: readable settings and write-only secrets.
# The channel adapters read them; unknown names are refused, so a typo is an
# error and not a setting silently ignored.
SETUP_FIELDS: dict[Channel, tuple[frozenset[str], frozenset[str]]] = {
    Channel.EMAIL: (
        frozenset(
            {
                "address",
                "display_name",
                "relay_host",
                "relay_port",
                "relay_tls",
                "relay_user",
                "dkim_selector",
            }
        ),
        frozenset({"relay_password", "dkim_private_key", "reply_token_key"}),
    ),
    Channel.SMS: (
        frozenset({"from_number", "account_sid", "api_base", "default_region", "help_text"}),
        frozenset({"auth_token"}),
    ),
    Channel.VIDEO: (frozenset({"stun_urls", "turn_urls"}), frozenset({"turn_secret"})),
}
MAX_SETTING_CHARS = 8000


def check_channel_setup(
    channel: Channel, config: dict[str, Any], secrets: dict[str, str]
) -> tuple[dict[str, Any], dict[str, str]]:
    """Refuse a setup with names the channel does not know or values too long;
    returns what to store."""
    if channel not in SETUP_FIELDS:
        raise InvalidInput(f"{channel.value} has no settings", field="channel")
    readable, secret = SETUP_FIELDS[channel]
    for name in config:
        if name not in readable:
            raise InvalidInput(
                f"{channel.value} has no setting {name!r}; known: {', '.join(sorted(readable))}",
                field=f"config.{name}",
            )
    for name in secrets:
        if name not in secret:
            raise InvalidInput(
                f"{channel.value} has no secret {name!r}; known: {', '.join(sorted(secret))}",
                field=f"secrets.{name}",
            )
    for name, value in [*config.items(), *secrets.items()]:
        if not isinstance(value, str | int | bool) or len(str(value)) > MAX_SETTING_CHARS:
            raise InvalidInput(f"{name} must be a short text, number or true/false", field=name)
    if channel is Channel.EMAIL:
        _check_mailbox(config)
    return config, secrets


def _check_mailbox(config: dict[str, Any]) -> None:
    """Email needs the mailbox it sends from and receives at."""
    address = str(config.get("address") or "").strip()
    local, at, domain = address.rpartition("@")
    if not at or not local or "." not in domain or any(c.isspace() for c in address):
        raise InvalidInput(
            "email needs its mailbox: config.address, e.g. support@example.com",
            field="config.address",
        )
