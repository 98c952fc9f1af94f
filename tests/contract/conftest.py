"""Fixtures for the broker contract: one suite, run against every backend."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Callable

import pytest
from redis.asyncio import Redis

from caseroom.realtime.broker import Broker
from caseroom.realtime.memory_broker import MemoryBroker
from caseroom.realtime.redis_broker import RedisBroker

REDIS_URL = os.environ.get("CASEROOM_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")

# Reachability is probed once per session: an absent Redis costs one timeout, not one per test.
_redis_probe: list[str | None] = []

BrokerFactory = Callable[[], Broker]


async def _redis_problem() -> str | None:
    if not _redis_probe:
        client = Redis.from_url(REDIS_URL, socket_connect_timeout=2, socket_timeout=2)
        try:
            await client.ping()
            _redis_probe.append(None)
        except Exception as exc:
            _redis_probe.append(f"{type(exc).__name__}: {exc}")
        finally:
            await client.aclose()
    return _redis_probe[0]


async def require_redis() -> str:
    """The test Redis URL; without a reachable Redis the test skips, or fails under CI."""
    problem = await _redis_problem()
    if problem is not None:
        message = (
            f"Redis is not reachable at {REDIS_URL} ({problem}); "
            "start it or set CASEROOM_TEST_REDIS_URL"
        )
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    return REDIS_URL


@pytest.fixture
async def redis_url() -> str:
    return await require_redis()


def unique_prefix() -> str:
    """A channel prefix no other test or test run shares."""
    return f"caseroom-test:{uuid.uuid4().hex}:"


@pytest.fixture(params=["memory", pytest.param("redis", marks=pytest.mark.redis)])
async def make_broker(request: pytest.FixtureRequest) -> AsyncIterator[BrokerFactory]:
    """Creates unstarted brokers of the parametrized backend; stops them all afterwards."""
    url = await require_redis() if request.param == "redis" else None
    prefix = unique_prefix()
    made: list[Broker] = []

    def make() -> Broker:
        broker = MemoryBroker() if url is None else RedisBroker(url, prefix=prefix)
        made.append(broker)
        return broker

    yield make
    for broker in made:
        await broker.stop()


@pytest.fixture
async def broker(make_broker: BrokerFactory) -> Broker:
    started = make_broker()
    await started.start()
    return started
