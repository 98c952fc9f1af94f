"""The broker contract, run against every backend (see conftest.make_broker), plus
Redis-only resilience tests.

"Nothing arrives" is never asserted by waiting: the test publishes a marker on a
subscribed channel afterwards and checks the marker is the next item. Timeouts only
guard against a hung test.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from urllib.parse import urlsplit, urlunsplit

import pytest
from redis.asyncio import Redis

from caseroom.realtime.backends import broker_from_url
from caseroom.realtime.broker import (
    Broker,
    BrokerMessage,
    BrokerNotStarted,
    Resync,
    Subscription,
)
from caseroom.realtime.memory_broker import MemoryBroker
from caseroom.realtime.redis_broker import BrokerUnavailable, RedisBroker

from .conftest import BrokerFactory, unique_prefix

GUARD = 5.0  # seconds; a failure guard, never the thing under test


async def next_item(sub: Subscription) -> BrokerMessage | Resync:
    return await asyncio.wait_for(anext(aiter(sub)), GUARD)


async def next_message(sub: Subscription) -> BrokerMessage:
    """The next message, skipping Resyncs (a slow machine may miss a health check)."""
    while not isinstance(item := await next_item(sub), BrokerMessage):
        pass
    return item


async def take(sub: Subscription, count: int) -> list[BrokerMessage | Resync]:
    return [await next_item(sub) for _ in range(count)]


async def drain_until_end(sub: Subscription) -> list[BrokerMessage | Resync]:
    async def collect() -> list[BrokerMessage | Resync]:
        return [item async for item in sub]

    return await asyncio.wait_for(collect(), GUARD)


# --- the contract, for every backend -----------------------------------------


async def test_subscriber_receives_published_message(broker: Broker) -> None:
    async with await broker.subscribe(["room:1"]) as sub:
        await broker.publish("room:1", b"hello")
        assert await next_item(sub) == BrokerMessage("room:1", b"hello")


async def test_no_delivery_for_unsubscribed_channel(broker: Broker) -> None:
    async with await broker.subscribe(["room:1"]) as sub:
        await broker.publish("room:2", b"not for you")
        await broker.publish("room:1", b"marker")
        assert await next_item(sub) == BrokerMessage("room:1", b"marker")


async def test_order_is_preserved_for_one_publisher(broker: Broker) -> None:
    async with await broker.subscribe(["room:1"]) as sub:
        payloads = [str(i).encode() for i in range(1000)]
        for payload in payloads:
            await broker.publish("room:1", payload)
        assert await take(sub, len(payloads)) == [BrokerMessage("room:1", p) for p in payloads]


async def test_a_batch_arrives_in_order_interleaved_with_single_publishes(
    broker: Broker,
) -> None:
    async with await broker.subscribe(["room:1", "room:2"]) as sub:
        await broker.publish("room:1", b"before")
        batch = [(f"room:{1 + i % 2}", f"b{i}".encode()) for i in range(300)]
        await broker.publish_many(batch)
        await broker.publish("room:2", b"after")
        expected = [("room:1", b"before"), *batch, ("room:2", b"after")]
        assert await take(sub, len(expected)) == [BrokerMessage(c, d) for c, d in expected]


async def test_every_subscriber_gets_every_message(broker: Broker) -> None:
    subs = [await broker.subscribe(["room:1"]) for _ in range(3)]
    payloads = [f"m{i}".encode() for i in range(20)]
    for payload in payloads:
        await broker.publish("room:1", payload)
    expected = [BrokerMessage("room:1", p) for p in payloads]
    for sub in subs:
        assert await take(sub, len(payloads)) == expected
        await sub.close()


async def test_channels_can_be_added_and_removed(broker: Broker) -> None:
    async with await broker.subscribe([]) as sub:
        await sub.add(["room:1", "room:2"])
        await broker.publish("room:1", b"one")
        await broker.publish("room:2", b"two")
        assert await take(sub, 2) == [
            BrokerMessage("room:1", b"one"),
            BrokerMessage("room:2", b"two"),
        ]

        await sub.remove(["room:1"])
        await broker.publish("room:1", b"after remove")
        await broker.publish("room:2", b"marker")
        assert await next_item(sub) == BrokerMessage("room:2", b"marker")

        await sub.add(["room:1"])
        await broker.publish("room:1", b"back")
        assert await next_item(sub) == BrokerMessage("room:1", b"back")


async def test_adding_a_channel_twice_and_removing_an_unknown_one_are_harmless(
    broker: Broker,
) -> None:
    async with await broker.subscribe(["room:1"]) as sub:
        await sub.add(["room:1", "room:1"])
        await sub.remove(["never-added"])
        await broker.publish("room:1", b"once")
        await broker.publish("room:1", b"marker")
        assert await take(sub, 2) == [
            BrokerMessage("room:1", b"once"),
            BrokerMessage("room:1", b"marker"),
        ]


async def test_publish_and_subscribe_before_start_raise(make_broker: BrokerFactory) -> None:
    broker = make_broker()
    with pytest.raises(BrokerNotStarted):
        await broker.publish("room:1", b"too early")
    with pytest.raises(BrokerNotStarted):
        await broker.subscribe(["room:1"])


async def test_publish_after_stop_raises(broker: Broker) -> None:
    await broker.stop()
    with pytest.raises(BrokerNotStarted):
        await broker.publish("room:1", b"too late")
    with pytest.raises(BrokerNotStarted):
        await broker.publish_many([("room:1", b"too late")])


async def test_close_ends_iteration(broker: Broker) -> None:
    sub = await broker.subscribe(["room:1"])
    await broker.publish("room:1", b"first")
    assert await next_item(sub) == BrokerMessage("room:1", b"first")
    reader = asyncio.create_task(drain_until_end(sub))
    await asyncio.sleep(0)  # let the reader block on the empty subscription
    await sub.close()
    assert await reader == []
    assert await drain_until_end(sub) == []  # a closed subscription ends at once
    await sub.close()  # idempotent


async def test_stop_ends_every_subscription(broker: Broker) -> None:
    subs = [await broker.subscribe(["room:1"]) for _ in range(2)]
    readers = [asyncio.create_task(drain_until_end(sub)) for sub in subs]
    await broker.stop()
    assert await asyncio.gather(*readers) == [[], []]


async def test_no_history_before_subscribe(broker: Broker) -> None:
    await broker.publish("room:1", b"before anyone listened")
    async with await broker.subscribe(["room:1"]) as sub:
        await broker.publish("room:1", b"marker")
        assert await next_item(sub) == BrokerMessage("room:1", b"marker")


async def test_binary_payloads_round_trip(broker: Broker) -> None:
    payload = bytes(range(256)) * 4
    async with await broker.subscribe(["room:é"]) as sub:
        await broker.publish("room:é", payload)
        assert await next_item(sub) == BrokerMessage("room:é", payload)


# --- factory -----------------------------------------------------------------


def test_broker_from_url_picks_the_backend() -> None:
    assert isinstance(broker_from_url(None), MemoryBroker)
    assert isinstance(broker_from_url("memory://"), MemoryBroker)
    assert isinstance(broker_from_url("redis://127.0.0.1:6379/0"), RedisBroker)
    assert isinstance(broker_from_url("rediss://example.org:6380/0", prefix="x:"), RedisBroker)


def test_broker_from_url_rejects_other_schemes_without_echoing_secrets() -> None:
    with pytest.raises(ValueError, match="'amqp'") as excinfo:
        broker_from_url("amqp://user:s3cret@host/")
    assert "s3cret" not in str(excinfo.value)
    with pytest.raises(ValueError, match="memory://"):
        broker_from_url("localhost:6379")


# --- Redis only ----------------------------------------------------------------


def with_query(url: str, query: str) -> str:
    return url + ("&" if "?" in url else "?") + query


async def kill_pubsub_clients(redis_url: str, client_name: str) -> int:
    """CLIENT KILL the pub/sub connections named `client_name`, as a Redis restart
    would, leaving other users of a shared Redis alone."""
    admin = Redis.from_url(redis_url)
    try:
        clients = await admin.client_list(_type="pubsub")
        ids = [c["id"] for c in clients if c.get("name") == client_name]
        for client_id in ids:
            await admin.client_kill_filter(_id=client_id)
        return len(ids)
    finally:
        await admin.aclose()


@pytest.mark.redis
async def test_redis_subscription_resyncs_after_its_connection_is_killed(redis_url: str) -> None:
    name = f"caseroom-test-{uuid.uuid4().hex}"
    broker = RedisBroker(with_query(redis_url, f"client_name={name}"), prefix=unique_prefix())
    await broker.start()
    try:
        sub = await broker.subscribe(["room:1"])
        await sub.add(["room:2"])
        assert await kill_pubsub_clients(redis_url, name) == 1

        item = await next_item(sub)
        assert isinstance(item, Resync)
        assert item.reason

        # Both channels were resubscribed before the Resync was yielded.
        await broker.publish("room:1", b"after one")
        await broker.publish("room:2", b"after two")
        assert await take(sub, 2) == [
            BrokerMessage("room:1", b"after one"),
            BrokerMessage("room:2", b"after two"),
        ]
    finally:
        await broker.stop()


@pytest.mark.redis
async def test_two_redis_brokers_share_channels_only_under_the_same_prefix(
    redis_url: str,
) -> None:
    prefix = unique_prefix()
    sender, receiver, stranger = (
        RedisBroker(redis_url, prefix=prefix),
        RedisBroker(redis_url, prefix=prefix),
        RedisBroker(redis_url, prefix=unique_prefix()),
    )
    for b in (sender, receiver, stranger):
        await b.start()
    try:
        sub = await receiver.subscribe(["room:1"])
        await stranger.publish("room:1", b"other prefix")
        await sender.publish("room:1", b"same prefix")
        assert await next_item(sub) == BrokerMessage("room:1", b"same prefix")
    finally:
        for b in (sender, receiver, stranger):
            await b.stop()


class FlakyProxy:
    """A TCP proxy in front of Redis that can simulate an outage: while down it
    drops every connection and closes new ones at once, counting them."""

    def __init__(self, host: str, port: int) -> None:
        self._target = (host, port)
        self._up = True
        self.rejected = 0
        self._rejected_changed = asyncio.Event()
        self._writers: set[asyncio.StreamWriter] = set()
        self._frozen: set[asyncio.StreamWriter] = set()
        self._handlers: set[asyncio.Task[None]] = set()

    async def __aenter__(self) -> FlakyProxy:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        self.port: int = self._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *exc: object) -> None:
        self._server.close()
        self.go_down()
        await self._server.wait_closed()
        await asyncio.gather(*self._handlers, return_exceptions=True)

    def go_down(self) -> None:
        self._up = False
        for writer in list(self._writers):
            writer.close()

    def go_up(self) -> None:
        self._up = True

    def freeze(self) -> None:
        """Silently stop forwarding on the open connections (a dead link that no
        TCP reset reports); new connections work normally."""
        self._frozen |= self._writers

    async def wait_rejected(self, count: int) -> None:
        while self.rejected < count:
            self._rejected_changed.clear()
            await asyncio.wait_for(self._rejected_changed.wait(), GUARD)

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._handlers.add(task)
        try:
            if not self._up:
                self.rejected += 1
                self._rejected_changed.set()
                return
            up_reader, up_writer = await asyncio.open_connection(*self._target)
            self._writers |= {writer, up_writer}
            try:
                await asyncio.gather(self._pipe(reader, up_writer), self._pipe(up_reader, writer))
            finally:
                self._writers -= {writer, up_writer}
                self._frozen -= {writer, up_writer}
                up_writer.close()
        finally:
            writer.close()
            self._handlers.discard(task)

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(65536):
                if writer not in self._frozen:
                    writer.write(data)
                    await writer.drain()
        except OSError:
            pass
        finally:
            writer.close()  # pass the end of the stream on to the other side


@pytest.fixture
async def proxy(redis_url: str) -> AsyncIterator[tuple[FlakyProxy, str]]:
    """A FlakyProxy to the test Redis, and the Redis URL that goes through it."""
    parts = urlsplit(redis_url)
    async with FlakyProxy(parts.hostname or "127.0.0.1", parts.port or 6379) as flaky:
        userinfo = parts.netloc.rpartition("@")[0]
        netloc = f"{userinfo}@127.0.0.1:{flaky.port}" if userinfo else f"127.0.0.1:{flaky.port}"
        yield flaky, urlunsplit(parts._replace(netloc=netloc))


@pytest.mark.redis
async def test_redis_subscription_survives_an_outage(proxy: tuple[FlakyProxy, str]) -> None:
    flaky, url = proxy
    broker = RedisBroker(
        url, prefix=unique_prefix(), timeout=2.0, reconnect_delay=0.05, max_reconnect_delay=0.2
    )
    await broker.start()
    try:
        sub = await broker.subscribe(["room:1"])
        flaky.go_down()
        await flaky.wait_rejected(3)  # the subscription keeps retrying

        with pytest.raises(BrokerUnavailable) as excinfo:
            await broker.publish("room:1", b"while down")
        assert isinstance(excinfo.value, ConnectionError)

        flaky.go_up()
        item = await next_item(sub)
        assert isinstance(item, Resync)
        await broker.publish("room:1", b"after outage")
        assert await next_item(sub) == BrokerMessage("room:1", b"after outage")
    finally:
        await broker.stop()


@pytest.mark.redis
async def test_redis_broker_start_fails_clearly_when_redis_is_down(
    proxy: tuple[FlakyProxy, str],
) -> None:
    flaky, url = proxy
    flaky.go_down()
    broker = RedisBroker(url, prefix=unique_prefix(), timeout=2.0)
    with pytest.raises(BrokerUnavailable, match=r"127\.0\.0\.1"):
        await broker.start()
    with pytest.raises(BrokerNotStarted):
        await broker.publish("room:1", b"never started")


@pytest.mark.redis
async def test_redis_subscription_notices_a_silently_dead_link(
    redis_url: str, proxy: tuple[FlakyProxy, str]
) -> None:
    flaky, url = proxy
    prefix = unique_prefix()
    receiver = RedisBroker(url, prefix=prefix, health_check_interval=0.5)
    sender = RedisBroker(redis_url, prefix=prefix)  # not through the proxy
    await receiver.start()
    await sender.start()
    try:
        sub = await receiver.subscribe(["room:1"])
        flaky.freeze()
        # Unanswered PINGs make the subscription reconnect on a fresh connection.
        assert isinstance(await next_item(sub), Resync)
        await sender.publish("room:1", b"after")
        assert await next_message(sub) == BrokerMessage("room:1", b"after")
    finally:
        await receiver.stop()
        await sender.stop()


@pytest.mark.redis
async def test_redis_add_on_a_dead_link_returns_and_the_subscription_recovers(
    redis_url: str, proxy: tuple[FlakyProxy, str]
) -> None:
    flaky, url = proxy
    prefix = unique_prefix()
    # Health checks are out of the picture: only the unconfirmed SUBSCRIBE can
    # reveal the dead link.
    receiver = RedisBroker(url, prefix=prefix, timeout=2.0, health_check_interval=600)
    sender = RedisBroker(redis_url, prefix=prefix)
    await receiver.start()
    await sender.start()
    try:
        sub = await receiver.subscribe(["room:1"])
        flaky.freeze()
        await asyncio.wait_for(sub.add(["room:2"]), GUARD)
        assert isinstance(await next_item(sub), Resync)
        await sender.publish("room:2", b"joined after all")
        assert await next_message(sub) == BrokerMessage("room:2", b"joined after all")
    finally:
        await receiver.stop()
        await sender.stop()
