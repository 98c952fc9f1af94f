"""In-process broker: fan-out between the tasks of a single process.

Also home of `Inbox`, the queue behind every Subscription's iteration, which the
Redis backend reuses so both backends end iteration the same way.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable

from caseroom.realtime.broker import (
    Broker,
    BrokerMessage,
    BrokerNotStarted,
    Resync,
    Subscription,
)

# Wakes a consumer blocked in get() when the inbox closes.
_CLOSED = None


class Inbox:
    """Unbounded queue of items for one subscription. Unbounded on purpose: a
    publisher must never wait for a slow consumer; the hub above bounds each
    connection. Once closed, iteration ends at once (queued items are dropped)."""

    __slots__ = ("_closed", "_queue")

    def __init__(self) -> None:
        self._queue: asyncio.Queue[BrokerMessage | Resync | None] = asyncio.Queue()
        self._closed = False

    @property
    def closed(self) -> bool:
        return self._closed

    def put(self, item: BrokerMessage | Resync) -> None:
        self._queue.put_nowait(item)

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            self._queue.put_nowait(_CLOSED)

    async def get(self) -> BrokerMessage | Resync:
        if self._closed:
            raise StopAsyncIteration
        item = await self._queue.get()
        if item is _CLOSED or self._closed:
            # Pass the wake-up on in case several tasks iterate the same inbox.
            self._queue.put_nowait(_CLOSED)
            raise StopAsyncIteration
        return item


class MemoryBroker(Broker):
    def __init__(self) -> None:
        self._started = False
        # channel -> subscriptions: publish touches only the channel's subscribers.
        self._by_channel: dict[str, set[_MemorySubscription]] = {}
        self._subscriptions: set[_MemorySubscription] = set()

    async def start(self) -> None:
        self._started = True

    async def stop(self) -> None:
        self._started = False
        for sub in list(self._subscriptions):
            await sub.close()

    async def publish(self, channel: str, data: bytes) -> None:
        if not self._started:
            raise BrokerNotStarted("MemoryBroker.publish() called before start()")
        subscribers = self._by_channel.get(channel)
        if subscribers:
            message = BrokerMessage(channel, data)  # immutable, so shared by all
            for sub in subscribers:
                sub._inbox.put(message)

    async def subscribe(self, channels: Iterable[str]) -> Subscription:
        if not self._started:
            raise BrokerNotStarted("MemoryBroker.subscribe() called before start()")
        sub = _MemorySubscription(self)
        self._subscriptions.add(sub)
        sub._attach(channels)
        return sub


class _MemorySubscription(Subscription):
    def __init__(self, broker: MemoryBroker) -> None:
        self._broker = broker
        self._channels: set[str] = set()
        self._inbox = Inbox()

    def _attach(self, channels: Iterable[str]) -> None:
        by_channel = self._broker._by_channel
        for channel in channels:
            if channel not in self._channels:
                self._channels.add(channel)
                by_channel.setdefault(channel, set()).add(self)

    def _detach(self, channels: Iterable[str]) -> None:
        by_channel = self._broker._by_channel
        for channel in channels:
            if channel in self._channels:
                self._channels.discard(channel)
                subscribers = by_channel[channel]
                subscribers.discard(self)
                if not subscribers:
                    del by_channel[channel]

    async def add(self, channels: Iterable[str]) -> None:
        if not self._inbox.closed:
            self._attach(channels)

    async def remove(self, channels: Iterable[str]) -> None:
        self._detach(channels)

    async def close(self) -> None:
        self._detach(list(self._channels))
        self._broker._subscriptions.discard(self)
        self._inbox.close()

    def __aiter__(self) -> _MemorySubscription:
        return self

    async def __anext__(self) -> BrokerMessage | Resync:
        return await self._inbox.get()
