"""The per-process hub: publishes committed events to the broker and hands each
event that arrives from it to the local listeners that follow its Issue (or the
organization's inbox). Whether a listener may see an event is decided by the
listener, with the domain's visibility rule; the hub only routes."""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from typing import Protocol

import orjson

from caseroom.domain.events import Event
from caseroom.domain.model import AgentPrincipal, Principal
from caseroom.realtime.broker import Broker, BrokerMessage, Resync, Subscription

log = logging.getLogger(__name__)

INBOX_EVENTS = frozenset({"issue.created", "issue.updated"})


class Listener(Protocol):
    @property
    def principal(self) -> Principal: ...

    def offer(self, event: Event) -> None:
        """Take an event for delivery; must not block."""

    def resync(self) -> None:
        """Events may have been missed: catch up from the database."""


def org_channel(org_id: str) -> str:
    return f"org:{org_id}"


class Hub:
    def __init__(self, broker: Broker) -> None:
        self._broker = broker
        self._subscription: Subscription | None = None
        self._reader: asyncio.Task[None] | None = None
        self._by_org: dict[str, set[Listener]] = defaultdict(set)
        self._by_issue: dict[str, set[Listener]] = defaultdict(set)
        self._inbox: dict[str, set[Listener]] = defaultdict(set)
        self._lock = asyncio.Lock()

    async def start(self) -> None:
        await self._broker.start()
        self._subscription = await self._broker.subscribe([])
        self._reader = asyncio.create_task(self._read(self._subscription), name="hub-reader")

    async def stop(self) -> None:
        if self._reader:
            self._reader.cancel()
            await asyncio.gather(self._reader, return_exceptions=True)
        if self._subscription:
            await self._subscription.close()
        await self._broker.stop()

    async def publish(self, events: list[Event]) -> None:
        """Send committed events to every process (this one included, via the broker)."""
        for event in events:
            data = orjson.dumps(event.to_wire())
            try:
                await self._broker.publish(org_channel(event.scope.org_id), data)
            except Exception:
                # The event is durable already; listeners recover it by resuming.
                log.exception("could not publish %s; listeners will catch up", event.type)

    async def join(self, listener: Listener) -> None:
        org_id = listener.principal.org_id
        async with self._lock:
            first = not self._by_org[org_id]
            self._by_org[org_id].add(listener)
            if first and self._subscription:
                await self._subscription.add([org_channel(org_id)])

    async def leave(self, listener: Listener) -> None:
        org_id = listener.principal.org_id
        for followers in (self._by_issue, self._inbox):
            for key in [k for k, v in followers.items() if listener in v]:
                followers[key].discard(listener)
                if not followers[key]:
                    del followers[key]
        async with self._lock:
            self._by_org[org_id].discard(listener)
            if not self._by_org[org_id]:
                del self._by_org[org_id]
                if self._subscription:
                    await self._subscription.remove([org_channel(org_id)])

    def follow_issue(self, listener: Listener, issue_id: str) -> None:
        self._by_issue[issue_id].add(listener)

    def unfollow_issue(self, listener: Listener, issue_id: str) -> None:
        self._by_issue.get(issue_id, set()).discard(listener)

    def follow_inbox(self, listener: Listener) -> None:
        self._inbox[listener.principal.org_id].add(listener)

    def dispatch(self, event: Event) -> None:
        targets = set(self._by_issue.get(event.issue_id, ()))
        if event.type in INBOX_EVENTS:
            targets |= self._inbox.get(event.scope.org_id, set())
        if event.scope.agent_id is not None:
            # Addressed to one agent: every connection of theirs, subscribed or not.
            targets |= {
                listener
                for listener in self._by_org.get(event.scope.org_id, ())
                if isinstance(listener.principal, AgentPrincipal)
                and listener.principal.agent.id == event.scope.agent_id
            }
        for listener in targets:
            listener.offer(event)

    @property
    def listener_count(self) -> int:
        return sum(len(v) for v in self._by_org.values())

    async def _read(self, subscription: Subscription) -> None:
        async for item in subscription:
            if isinstance(item, Resync):
                log.warning("broker resync (%s): listeners catch up", item.reason)
                for listeners in list(self._by_org.values()):
                    for listener in list(listeners):
                        listener.resync()
                continue
            assert isinstance(item, BrokerMessage)
            try:
                event = Event.from_wire(orjson.loads(item.data))
            except (ValueError, KeyError, TypeError):
                log.exception("dropping a malformed event on %s", item.channel)
                continue
            self.dispatch(event)
