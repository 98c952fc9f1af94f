"""Which connections the hub hands an event to: followers of its Issue, the
inbox, one agent, one connection; never another organization's; its own
process's connections even while the broker is down, and each connection once
although the broker echoes what this process published."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field

import pytest

from caseroom.domain.events import Event
from caseroom.domain.model import (
    Agent,
    AgentPrincipal,
    Customer,
    CustomerPrincipal,
    MessageKind,
    Principal,
    Role,
    Room,
)
from caseroom.domain.visibility import Scope
from caseroom.realtime.hub import Hub
from caseroom.realtime.memory_broker import MemoryBroker


@dataclass(eq=False)
class FakeListener:
    principal: Principal
    connection_id: str
    events: list[Event] = field(default_factory=list)
    resyncs: int = 0

    def offer(self, event: Event) -> None:
        self.events.append(event)

    def resync(self) -> None:
        self.resyncs += 1

    @property
    def seqs(self) -> list[int | None]:
        return [e.seq for e in self.events]


def agent(org: str, agent_id: str, connection: str) -> FakeListener:
    person = Agent(agent_id, org, f"{agent_id}@example.com", agent_id.title(), Role.AGENT)
    return FakeListener(AgentPrincipal(org, person), connection)


def customer(org: str, customer_id: str, connection: str) -> FakeListener:
    return FakeListener(CustomerPrincipal(org, Customer(customer_id, org, "Casey")), connection)


def message(org: str, issue: str, seq: int) -> Event:
    scope = Scope(org, issue, "cust-1", Room.PUBLIC, MessageKind.MESSAGE)
    return Event("message.created", scope, issue, {"n": seq}, Room.PUBLIC, seq)


def issue_updated(org: str, issue: str) -> Event:
    return Event("issue.updated", Scope(org, issue, "cust-1"), issue, {})


def addressed(
    org: str, issue: str, *, agent_id: str | None = None, connection: str | None = None
) -> Event:
    scope = Scope(org, issue, "cust-1", agent_id=agent_id, connection_id=connection)
    return Event("notification.created", scope, issue, {})


class DownBroker(MemoryBroker):
    """A broker whose server cannot be reached: every publish fails."""

    def __init__(self, error: Exception) -> None:
        super().__init__()
        self.error = error

    async def publish(self, channel: str, data: bytes) -> None:
        raise self.error


MakeHub = Callable[..., Awaitable[Hub]]


@pytest.fixture
async def hubs() -> AsyncIterator[MakeHub]:
    started: list[Hub] = []
    broker = MemoryBroker()  # shared: hubs made by the factory are processes on one broker

    async def make(on: MemoryBroker | None = None) -> Hub:
        hub = Hub(on or broker)
        await hub.start()
        started.append(hub)
        return hub

    yield make
    for hub in started:
        await hub.stop()


async def joined(hub: Hub, *listeners: FakeListener) -> None:
    for listener in listeners:
        await hub.join(listener)


async def until(condition: Callable[[], bool]) -> None:
    """Let the hubs' tasks run until `condition` holds."""
    for _ in range(5000):
        if condition():
            return
        await asyncio.sleep(0.001)
    raise AssertionError("the condition never held")


async def test_an_issue_event_reaches_its_followers_only(hubs: MakeHub) -> None:
    hub = await hubs()
    ana, ben, casey = (
        agent("org-a", "ana", "c1"),
        agent("org-a", "ben", "c2"),
        customer("org-a", "cust-1", "c3"),
    )
    await joined(hub, ana, ben, casey)
    hub.follow_issue(ana, "issue-1")
    hub.follow_issue(casey, "issue-1")
    hub.follow_issue(ben, "issue-2")

    await hub.publish([message("org-a", "issue-1", 1)])

    assert ana.seqs == [1] and casey.seqs == [1] and ben.events == []


async def test_unfollowing_and_leaving_stop_delivery(hubs: MakeHub) -> None:
    hub = await hubs()
    ana, ben = agent("org-a", "ana", "c1"), agent("org-a", "ben", "c2")
    await joined(hub, ana, ben)
    for listener in (ana, ben):
        hub.follow_issue(listener, "issue-1")
    hub.unfollow_issue(ana, "issue-1")
    await hub.leave(ben)

    await hub.publish([message("org-a", "issue-1", 1)])

    assert ana.events == [] and ben.events == []


async def test_inbox_followers_get_issue_events_but_not_messages(hubs: MakeHub) -> None:
    hub = await hubs()
    inbox = agent("org-a", "ana", "c1")
    await joined(hub, inbox)
    hub.follow_inbox(inbox)

    await hub.publish([message("org-a", "issue-1", 1), issue_updated("org-a", "issue-1")])

    assert [e.type for e in inbox.events] == ["issue.updated"]


async def test_an_event_addressed_to_an_agent_reaches_all_their_connections_only(
    hubs: MakeHub,
) -> None:
    hub = await hubs()
    ana_tab, ana_phone = agent("org-a", "ana", "c1"), agent("org-a", "ana", "c2")
    ben, casey = agent("org-a", "ben", "c3"), customer("org-a", "cust-1", "c4")
    await joined(hub, ana_tab, ana_phone, ben, casey)
    for listener in (ben, casey):  # following the Issue does not make them recipients
        hub.follow_issue(listener, "issue-1")
        hub.follow_inbox(listener)

    await hub.publish([addressed("org-a", "issue-1", agent_id="ana")])

    assert len(ana_tab.events) == 1 and len(ana_phone.events) == 1
    assert ben.events == [] and casey.events == []


async def test_an_event_addressed_to_a_connection_reaches_that_connection_only(
    hubs: MakeHub,
) -> None:
    hub = await hubs()
    ana_tab, ana_phone = agent("org-a", "ana", "c1"), agent("org-a", "ana", "c2")
    await joined(hub, ana_tab, ana_phone)
    hub.follow_issue(ana_phone, "issue-1")

    await hub.publish([addressed("org-a", "issue-1", agent_id="ana", connection="c1")])

    assert len(ana_tab.events) == 1 and ana_phone.events == []


async def test_a_connection_addressed_event_reaches_another_process(hubs: MakeHub) -> None:
    here, there = await hubs(), await hubs()
    callee = agent("org-a", "ana", "c9")
    await joined(there, callee)

    await here.publish([addressed("org-a", "issue-1", connection="c9")])

    await until(lambda: len(callee.events) == 1)
    assert callee.events[0].scope.connection_id == "c9"


async def test_nothing_crosses_organizations(hubs: MakeHub) -> None:
    hub = await hubs()
    outsider = agent("org-b", "ana", "c1")  # same agent and Issue ids, other organization
    await joined(hub, outsider)
    hub.follow_issue(outsider, "issue-1")
    hub.follow_inbox(outsider)

    await hub.publish(
        [
            message("org-a", "issue-1", 1),
            issue_updated("org-a", "issue-1"),
            addressed("org-a", "issue-1", agent_id="ana"),
            addressed("org-a", "issue-1", connection="c1"),
        ]
    )

    assert outsider.events == []


async def test_each_connection_gets_an_event_once_on_either_process_in_order(
    hubs: MakeHub,
) -> None:
    here, there = await hubs(), await hubs()
    local, remote = agent("org-a", "ana", "c1"), agent("org-a", "ben", "c2")
    await joined(here, local)
    await joined(there, remote)
    here.follow_issue(local, "issue-1")
    there.follow_issue(remote, "issue-1")

    for seq in range(1, 51):
        await here.publish([message("org-a", "issue-1", seq)])
    await until(lambda: len(remote.events) == 50)
    # The echo of our own events is queued before anything published after them.
    await there.publish([message("org-a", "issue-1", 51)])
    await until(lambda: 51 in local.seqs)

    assert local.seqs == list(range(1, 52))
    assert remote.seqs == list(range(1, 52))


async def test_own_connections_get_live_events_while_the_broker_is_down(
    hubs: MakeHub, caplog: pytest.LogCaptureFixture
) -> None:
    hub = await hubs(DownBroker(ConnectionError("connection refused")))
    ana = agent("org-a", "ana", "c1")
    await joined(hub, ana)
    hub.follow_issue(ana, "issue-1")

    with caplog.at_level(logging.INFO, logger="caseroom.realtime.hub"):
        for seq in range(1, 101):
            await hub.publish([message("org-a", "issue-1", seq)])
        await hub.publish_ephemeral([addressed("org-a", "issue-1", connection="c1")])
        await hub.stop()

    assert ana.seqs == [*range(1, 101), None]
    # An unreachable broker logs its outage itself; the hub adds nothing per event.
    assert caplog.records == []


async def test_a_failing_broker_is_logged_once_when_it_fails_and_once_when_it_recovers(
    hubs: MakeHub, caplog: pytest.LogCaptureFixture
) -> None:
    broker = DownBroker(RuntimeError("broker bug"))
    hub = await hubs(broker)
    ana = agent("org-a", "ana", "c1")
    await joined(hub, ana)
    hub.follow_issue(ana, "issue-1")

    with caplog.at_level(logging.INFO, logger="caseroom.realtime.hub"):
        for seq in range(1, 21):
            await hub.publish([message("org-a", "issue-1", seq)])
        await until(lambda: not hub._outbox)
        broker.publish = MemoryBroker.publish.__get__(broker)  # type: ignore[method-assign]
        await hub.publish([message("org-a", "issue-1", 21)])
        await until(lambda: not hub._outbox)

    assert [r.levelname for r in caplog.records] == ["ERROR", "INFO"]
    assert "broker bug" in caplog.records[0].getMessage()
    assert "20 events were not published" in caplog.records[1].getMessage()
    assert len(ana.events) == 21
