"""The per-process hub: the one place that decides which connections an event is
for. Whether a connection may see it is then decided at delivery by the
domain's visibility rule; the hub only routes.

An event published on this process is handed to this process's listeners at
once, and sent through the broker to the other processes. Each published event
is tagged with this hub's id, so its echo from the broker is skipped: a listener
receives an event once, and a broker outage does not silence the connections
of the process that published it. Events go to the broker from one task, in the
order they were published, so every process sees one publisher's events in the
same order.

Routing, by the event's scope:
- addressed to a connection (`connection_id`): that connection only;
- addressed to an agent (`agent_id`): every connection of that agent, whether
  or not it follows the Issue;
- otherwise: the connections following the Issue, and for inbox events
  (`issue.created`, `issue.updated`) the agents' connections following their
  organization's inbox.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import secrets
from collections import defaultdict, deque
from typing import Protocol, TypeVar

import orjson

from caseroom.domain.events import Event
from caseroom.domain.model import AuthorKind, Principal
from caseroom.realtime.broker import Broker, BrokerMessage, Resync, Subscription

log = logging.getLogger(__name__)

_INBOX_EVENTS = frozenset({"issue.created", "issue.updated", "presence.updated", "call.updated"})
_PUBLISHER = "publisher"  # the wire key naming the hub that published an event
_OUTBOX_MAX = 10_000  # events waiting for the broker; beyond, they are dropped
_PUBLISH_BATCH = 200  # events sent to the broker in one round trip
_DRAIN_ON_STOP = 2.0  # seconds stop() waits for the outbox to empty
_Key = TypeVar("_Key")


class Listener(Protocol):
    @property
    def principal(self) -> Principal: ...

    @property
    def connection_id(self) -> str:
        """Random and unique per connection: events can be addressed to it."""
        ...

    def offer(self, event: Event) -> None:
        """Take an event for delivery; must not block."""

    def resync(self) -> None:
        """Events may have been missed: catch up from the database."""


def _forget(followers: dict[_Key, set[Listener]], listener: Listener) -> None:
    for key in [k for k, v in followers.items() if listener in v]:
        followers[key].discard(listener)
        if not followers[key]:
            del followers[key]


def _is_agent(principal: Principal, agent_id: str) -> bool:
    actor = principal.actor
    return actor.kind is AuthorKind.AGENT and actor.id == agent_id


def org_channel(org_id: str) -> str:
    return f"org:{org_id}"


class _Outage:
    """Publishing failures, logged once when they start and once when publishing
    works again, instead of once per event. A broker that cannot reach its server
    (a ConnectionError) logs that outage itself, so it is not logged twice."""

    def __init__(self) -> None:
        self._failing = False
        self._logged = False
        self._dropped = 0

    def failed(self, error: BaseException, events: int = 1) -> None:
        self._dropped += events
        if self._failing:
            return
        self._failing = True
        self._logged = not isinstance(error, ConnectionError)
        if self._logged:
            log.error(
                "cannot publish to the broker (%r); until it works again only this "
                "process's connections receive its live events",
                error,
            )

    def worked(self) -> None:
        if self._failing:
            log.log(
                logging.INFO if self._logged else logging.DEBUG,
                "publishing to the broker works again; %d events were not published "
                "(the other processes catch up from the database)",
                self._dropped,
            )
            self._failing, self._logged, self._dropped = False, False, 0


class Hub:
    def __init__(self, broker: Broker, *, hub_id: str | None = None) -> None:
        self.id = hub_id or secrets.token_hex(8)
        self._broker = broker
        self._subscription: Subscription | None = None
        self._reader: asyncio.Task[None] | None = None
        self._by_org: dict[str, set[Listener]] = defaultdict(set)
        self._by_issue: dict[tuple[str, str], set[Listener]] = defaultdict(set)
        self._inbox: dict[str, set[Listener]] = defaultdict(set)
        self._by_connection: dict[str, Listener] = {}
        self._lock = asyncio.Lock()
        self._outbox: deque[tuple[str, bytes]] = deque()
        self._outbox_ready = asyncio.Event()
        self._outbox_empty = asyncio.Event()
        self._publisher: asyncio.Task[None] | None = None
        self._outage = _Outage()

    async def start(self) -> None:
        await self._broker.start()
        self._subscription = await self._broker.subscribe([])
        self._reader = asyncio.create_task(self._read(self._subscription), name="hub-reader")
        self._publisher = asyncio.create_task(self._publish_outbox(), name="hub-publisher")

    async def stop(self) -> None:
        if self._publisher:
            if self._outbox:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._outbox_empty.wait(), _DRAIN_ON_STOP)
            self._publisher.cancel()
            await asyncio.gather(self._publisher, return_exceptions=True)
            self._publisher = None
        if self._reader:
            self._reader.cancel()
            await asyncio.gather(self._reader, return_exceptions=True)
        if self._subscription:
            await self._subscription.close()
        await self._broker.stop()

    # -- publishing ---------------------------------------------------------------

    async def publish(self, events: list[Event]) -> None:
        """Announce committed events: to this process's listeners now, to the
        other processes through the broker. An event the broker loses is durable
        already; listeners recover it by resuming."""
        self._announce(events)

    async def publish_ephemeral(self, events: list[Event]) -> None:
        """Announce events that are never stored (typing, presence, call
        signaling), the same way. There is nothing to catch up from: an event the
        broker loses is gone for the other processes."""
        self._announce(events)

    def _announce(self, events: list[Event]) -> None:
        for event in events:
            self.dispatch(event)
            if self._publisher is None:
                continue  # not started: this process only
            if len(self._outbox) >= _OUTBOX_MAX:
                self._outage.failed(OverflowError(f"{_OUTBOX_MAX} events waiting"))
                continue
            wire = event.to_wire()
            wire[_PUBLISHER] = self.id
            self._outbox.append((org_channel(event.scope.org_id), orjson.dumps(wire)))
            self._outbox_empty.clear()
            self._outbox_ready.set()

    async def _publish_outbox(self) -> None:
        while True:
            await self._outbox_ready.wait()
            self._outbox_ready.clear()
            while self._outbox:
                # What waits goes in one round trip (a group commit's events come
                # together); taken off the outbox once sent or given up on.
                batch = list(itertools.islice(self._outbox, _PUBLISH_BATCH))
                try:
                    await self._broker.publish_many(batch)
                except Exception as error:
                    self._outage.failed(error, len(batch))
                else:
                    self._outage.worked()
                for _ in batch:
                    self._outbox.popleft()
            self._outbox_empty.set()

    # -- listeners ------------------------------------------------------------------

    async def join(self, listener: Listener) -> None:
        org_id = listener.principal.org_id
        self._by_connection[listener.connection_id] = listener
        async with self._lock:
            first = not self._by_org[org_id]
            self._by_org[org_id].add(listener)
            if first and self._subscription:
                await self._subscription.add([org_channel(org_id)])

    async def leave(self, listener: Listener) -> None:
        org_id = listener.principal.org_id
        if self._by_connection.get(listener.connection_id) is listener:
            del self._by_connection[listener.connection_id]
        _forget(self._by_issue, listener)
        _forget(self._inbox, listener)
        async with self._lock:
            self._by_org[org_id].discard(listener)
            if not self._by_org[org_id]:
                del self._by_org[org_id]
                if self._subscription:
                    await self._subscription.remove([org_channel(org_id)])

    def follow_issue(self, listener: Listener, issue_id: str) -> None:
        self._by_issue[(listener.principal.org_id, issue_id)].add(listener)

    def unfollow_issue(self, listener: Listener, issue_id: str) -> None:
        key = (listener.principal.org_id, issue_id)
        followers = self._by_issue.get(key)
        if followers is not None:
            followers.discard(listener)
            if not followers:
                del self._by_issue[key]

    def follow_inbox(self, listener: Listener) -> None:
        self._inbox[listener.principal.org_id].add(listener)

    # -- routing --------------------------------------------------------------------

    def targets(self, event: Event) -> set[Listener]:
        """The listeners of this process an event is for (see the module docstring)."""
        scope = event.scope
        if scope.connection_id is not None:
            listener = self._by_connection.get(scope.connection_id)
            if listener is None or listener.principal.org_id != scope.org_id:
                return set()
            return {listener}
        if scope.agent_id is not None:
            return {
                listener
                for listener in self._by_org.get(scope.org_id, ())
                if _is_agent(listener.principal, scope.agent_id)
            }
        targets = set(self._by_issue.get((scope.org_id, event.issue_id), ()))
        if event.type in _INBOX_EVENTS:
            targets |= self._inbox.get(scope.org_id, set())
        return targets

    def dispatch(self, event: Event) -> None:
        for listener in self.targets(event):
            listener.offer(event)

    @property
    def listener_count(self) -> int:
        return sum(len(v) for v in self._by_org.values())

    async def _read(self, subscription: Subscription) -> None:
        async for item in subscription:
            if isinstance(item, Resync):
                # The broker has logged the interruption; the listeners now catch up.
                log.debug("broker resync (%s): listeners catch up", item.reason)
                for listeners in list(self._by_org.values()):
                    for listener in list(listeners):
                        listener.resync()
                continue
            assert isinstance(item, BrokerMessage)
            try:
                wire = orjson.loads(item.data)
                if wire.get(_PUBLISHER) == self.id:
                    continue  # ours: already handed to our listeners when published
                event = Event.from_wire(wire)
            except (ValueError, KeyError, TypeError, AttributeError):
                log.exception("dropping a malformed event on %s", item.channel)
                continue
            self.dispatch(event)
