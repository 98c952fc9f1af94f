"""The channels an agent can reply through, and why one is unavailable."""

from __future__ import annotations

from dataclasses import dataclass

from caseroom.domain.model import Channel

# What the composer offers, in the order it offers it.
REPLY_CHANNELS = (Channel.CHAT, Channel.SMS, Channel.EMAIL, Channel.VIDEO)
ALWAYS_AVAILABLE = frozenset({Channel.CHAT})
NOT_SET_UP = "not set up for this organization"


@dataclass(frozen=True, slots=True)
class ChannelOption:
    channel: Channel
    enabled: bool
    reason: str | None = None


def channel_options(configured: frozenset[Channel]) -> list[ChannelOption]:
    """Every reply channel, enabled when chat or set up by the organization."""
    usable = ALWAYS_AVAILABLE | configured
    return [
        ChannelOption(c, True) if c in usable else ChannelOption(c, False, NOT_SET_UP)
        for c in REPLY_CHANNELS
    ]
