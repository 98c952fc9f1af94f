"""Harnesses for the outbound channel contract: each adapter of `Outbound` comes
with a way to see what reached the other side and to make that side refuse.
A channel adds its harness here (a real SMTP server, a local HTTP server that
speaks the SMS provider's API) and the whole suite runs over it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from caseroom.channels.base import DeliveryError, Outbound
from caseroom.channels.testing import InProcessProvider
from caseroom.domain.model import Channel


class Harness(Protocol):
    outbound: Outbound
    recipient: str  # an address the far side accepts

    def received(self) -> list[tuple[str, str]]:
        """(recipient, body) of every message the far side has taken, in order."""

    def refuse_next(self, *, permanent: bool) -> None:
        """Make the far side refuse the next message, for good or for now."""


@dataclass
class InProcessHarness:
    outbound: InProcessProvider
    recipient: str = "+14155550100"

    def received(self) -> list[tuple[str, str]]:
        return [(m.recipient, m.body) for m in self.outbound.delivered]

    def refuse_next(self, *, permanent: bool) -> None:
        reason = "unknown recipient" if permanent else "try again later"
        self.outbound.fail_next(DeliveryError(reason, permanent=permanent, code="X1"))


def in_process() -> InProcessHarness:
    return InProcessHarness(InProcessProvider(Channel.SMS))
