"""The realtime broker: carries serialized events between processes.

Two backends implement it (in-process memory, Redis pub/sub) and one contract
suite (tests/contract/test_broker.py) proves they behave alike. Like Redis
pub/sub, a broker keeps no history: a message published to a channel nobody
subscribes to is gone. Durability lives in the database; a subscriber that may
have missed messages (a lost connection) is told so with a `Resync` item and
catches up from the database.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class BrokerMessage:
    channel: str
    data: bytes


@dataclass(frozen=True, slots=True)
class Resync:
    """The subscription was interrupted and restored: messages may have been missed."""

    reason: str


class BrokerNotStarted(RuntimeError):
    pass


class Subscription(ABC):
    """An open subscription. Iterate it for BrokerMessage and Resync items; close it
    (or use `async with`) to unsubscribe."""

    @abstractmethod
    async def add(self, channels: Iterable[str]) -> None: ...

    @abstractmethod
    async def remove(self, channels: Iterable[str]) -> None: ...

    @abstractmethod
    async def close(self) -> None: ...

    @abstractmethod
    def __aiter__(self) -> AsyncIterator[BrokerMessage | Resync]: ...

    async def __aenter__(self) -> Subscription:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()


class Broker(ABC):
    @abstractmethod
    async def start(self) -> None: ...

    @abstractmethod
    async def stop(self) -> None: ...

    @abstractmethod
    async def publish(self, channel: str, data: bytes) -> None:
        """Deliver `data` to every current subscriber of `channel`, in publish order
        per publisher. Raises BrokerNotStarted before start()."""

    async def publish_many(self, messages: Sequence[tuple[str, bytes]]) -> None:
        """`publish` each (channel, data) in order; a broker over the network sends
        them in one round trip."""
        for channel, data in messages:
            await self.publish(channel, data)

    @abstractmethod
    async def subscribe(self, channels: Iterable[str]) -> Subscription:
        """Subscribe; once this returns, every later publish to the channels is seen."""
