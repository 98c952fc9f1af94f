"""A 4-second Redis outage, seen from one process's hub: its own connections
keep receiving its live events, the other process is told to catch up, and the
outage is logged once when it starts and once when it ends."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest

from caseroom.domain.events import Event
from caseroom.domain.model import Agent, AgentPrincipal, MessageKind, Principal, Role, Room
from caseroom.domain.visibility import Scope
from caseroom.realtime.hub import Hub
from caseroom.realtime.redis_broker import RedisBroker
from tests.components import redis_outage, start_redis
from tests.contract.conftest import unique_prefix

pytestmark = pytest.mark.redis

OUTAGE_SECONDS = 4.0


@dataclass(eq=False)
class Connection:
    principal: Principal
    connection_id: str
    seqs: list[int | None] = field(default_factory=list)
    resyncs: int = 0

    def offer(self, event: Event) -> None:
        self.seqs.append(event.seq)

    def resync(self) -> None:
        self.resyncs += 1


@pytest.fixture
def redis_comes_back() -> Iterator[None]:
    yield
    start_redis()  # even if the test failed while Redis was stopped


def _message(seq: int) -> Event:
    scope = Scope("org-a", "issue-1", "cust-1", Room.PUBLIC, MessageKind.MESSAGE)
    return Event("message.created", scope, "issue-1", {}, Room.PUBLIC, seq)


def _stop_redis_for_a_while() -> None:
    with redis_outage():
        time.sleep(OUTAGE_SECONDS)


@pytest.mark.serial
async def test_a_redis_outage_silences_no_local_connection_and_is_logged_at_start_and_end(
    redis_url: str, redis_comes_back: None, caplog: pytest.LogCaptureFixture
) -> None:
    prefix = unique_prefix()
    here = Hub(RedisBroker(redis_url, prefix=prefix, max_reconnect_delay=0.5))
    there = Hub(RedisBroker(redis_url, prefix=prefix, max_reconnect_delay=0.5))
    ana = Agent("ana", "org-a", "ana@example.com", "Ana", Role.AGENT)
    local = Connection(AgentPrincipal("org-a", ana), "c1")
    remote = Connection(AgentPrincipal("org-a", ana), "c2")
    await here.start()
    await there.start()
    try:
        await here.join(local)
        await there.join(remote)
        here.follow_issue(local, "issue-1")
        there.follow_issue(remote, "issue-1")
        published = 0
        outage = asyncio.create_task(asyncio.to_thread(_stop_redis_for_a_while))
        with caplog.at_level(logging.INFO, logger="caseroom.realtime"):
            while not outage.done() or remote.resyncs == 0:
                published += 1
                await here.publish([_message(published)])
                await asyncio.sleep(0.01)
            await outage
    finally:
        await here.stop()
        await there.stop()

    assert local.seqs == list(range(1, published + 1))  # live, once each, in order
    assert remote.resyncs == 1  # the other process catches up from the database
    # Two brokers in this process (one per hub): each logs one start and one end.
    lines = [r.getMessage() for r in caplog.records]
    starts = [line for line in lines if "unreachable" in line]
    ends = [line for line in lines if "reachable again" in line]
    assert (len(starts), len(ends), len(lines)) == (2, 2, 4), lines
