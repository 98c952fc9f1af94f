"""An in-process provider for the outbound port: what a real gateway would do,
kept in memory so the contract suite and the tests of the delivery path can
see exactly what left. It answers a repeated delivery id with the message it
already accepted, as providers with idempotency keys do."""

from __future__ import annotations

from dataclasses import dataclass, field

from caseroom.channels.base import Accepted, DeliveryError, Outbound, Outgoing
from caseroom.domain.ids import new_id
from caseroom.domain.model import Channel


@dataclass
class InProcessProvider(Outbound):
    channel: Channel = Channel.SMS
    delivered: list[Outgoing] = field(default_factory=list)
    attempts: int = 0
    _failures: list[DeliveryError] = field(default_factory=list)
    _accepted: dict[str, Accepted] = field(default_factory=dict)

    def fail_next(self, error: DeliveryError, times: int = 1) -> None:
        """Refuse the next `times` sends with `error`."""
        self._failures.extend([error] * times)

    async def send(self, message: Outgoing) -> Accepted:
        self.attempts += 1
        if self._failures:
            raise self._failures.pop(0)
        if message.delivery_id in self._accepted:
            return self._accepted[message.delivery_id]
        self.delivered.append(message)
        accepted = Accepted(f"test-{new_id()}")
        self._accepted[message.delivery_id] = accepted
        return accepted
