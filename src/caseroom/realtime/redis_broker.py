"""Redis pub/sub broker: carries events between caseroom processes.

Each Subscription owns one dedicated connection, read by one task: a dropped
connection then affects that subscription only, and its reader knows exactly when
messages may have been lost. redis-py's PubSub helper is deliberately not used: it
reconnects and resubscribes silently, hiding the very gap that must be reported
as a Resync.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from redis.asyncio import ConnectionPool, Redis
from redis.asyncio.connection import AbstractConnection
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError
from redis.exceptions import TimeoutError as RedisTimeoutError
from redis.maint_notifications import MaintNotificationsConfig

from caseroom.realtime.broker import (
    Broker,
    BrokerMessage,
    BrokerNotStarted,
    Resync,
    Subscription,
)
from caseroom.realtime.memory_broker import Inbox

log = logging.getLogger(__name__)

# "Redis cannot be reached". OSError also covers the builtin TimeoutError of
# asyncio.timeout() and BrokerUnavailable itself.
_UNREACHABLE = (RedisConnectionError, RedisTimeoutError, OSError)


class BrokerUnavailable(ConnectionError):
    """Redis could not be reached within the broker's timeouts."""


def _redact(url: str) -> str:
    """The URL without its credentials, for error messages and logs."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    return urlunsplit(parts._replace(netloc="***@" + parts.netloc.rpartition("@")[2]))


class _Availability:
    """Logs that Redis became unreachable once, when publishing or a subscription
    first fails, and that it is back once, at the first success after that;
    what fails in between is logged at debug level only."""

    def __init__(self, url: str) -> None:
        self._url = _redact(url)
        self._lost_at: float | None = None

    def lost(self, reason: object) -> None:
        if self._lost_at is None:
            self._lost_at = time.monotonic()
            log.warning(
                "Redis at %s unreachable (%s): other processes miss this one's live events "
                "until it is back, then catch up",
                self._url,
                reason,
            )
        else:
            log.debug("Redis at %s still unreachable (%s)", self._url, reason)

    def reached(self) -> None:
        if self._lost_at is not None:
            log.warning(
                "Redis at %s reachable again after %.1f s",
                self._url,
                time.monotonic() - self._lost_at,
            )
            self._lost_at = None


class RedisBroker(Broker):
    def __init__(
        self,
        url: str,
        *,
        prefix: str = "caseroom:",
        timeout: float = 5.0,
        reconnect_delay: float = 0.1,
        max_reconnect_delay: float = 5.0,
        health_check_interval: float = 15.0,
    ) -> None:
        """`timeout` bounds each connect and command. A subscription whose
        connection dropped retries after `reconnect_delay` seconds, doubling up
        to `max_reconnect_delay`. An idle subscription PINGs Redis every
        `health_check_interval` seconds, so a silently dead link (no TCP reset)
        is noticed within two intervals."""
        for name, value in (
            ("timeout", timeout),
            ("reconnect_delay", reconnect_delay),
            ("max_reconnect_delay", max_reconnect_delay),
            ("health_check_interval", health_check_interval),
        ):
            if value <= 0:
                raise ValueError(f"{name} must be positive, got {value!r}")
        self._url = url
        self._prefix = prefix
        self._timeout = timeout
        self._reconnect_delay = reconnect_delay
        self._max_reconnect_delay = max(max_reconnect_delay, reconnect_delay)
        self._health_check_interval = health_check_interval
        self._client: Redis | None = None
        self._sub_pool: ConnectionPool | None = None
        self._subscriptions: set[_RedisSubscription] = set()
        self._availability = _Availability(url)
        self.reconnects = 0  # subscriptions restored after a drop (read by /metrics)

    def _unavailable(self, action: str, exc: BaseException) -> BrokerUnavailable:
        return BrokerUnavailable(f"Redis at {_redact(self._url)}: {action} failed: {exc}")

    async def start(self) -> None:
        if self._client is not None:
            return
        client = Redis.from_url(
            self._url,
            socket_connect_timeout=self._timeout,
            socket_timeout=self._timeout,
            # One immediate retry replaces a pooled connection that died (e.g. Redis
            # restarted); more retries would only delay the error while Redis is down.
            retry=Retry(NoBackoff(), 1),
        )
        try:
            await client.ping()
        except _UNREACHABLE as exc:
            await client.aclose()
            raise self._unavailable("connect", exc) from exc
        sub_pool = ConnectionPool.from_url(
            self._url,
            socket_connect_timeout=self._timeout,
            socket_timeout=self._timeout,
            # They need RESP3; subscription connections speak RESP2 (below).
            maint_notifications_config=MaintNotificationsConfig(enabled=False),
        )
        # Forced even over URL options: the subscription reader relies on them.
        sub_pool.connection_kwargs.update(
            retry=Retry(NoBackoff(), 0),  # the reader owns reconnecting
            health_check_interval=0,  # redis-py's check would consume the reader's replies
            protocol=2,  # the reader parses RESP2 pub/sub replies
            decode_responses=False,
        )
        self._client, self._sub_pool = client, sub_pool

    async def stop(self) -> None:
        # Subscriptions first: a reader mid-reconnect still needs the pool.
        for sub in list(self._subscriptions):
            await sub.close()
        client, self._client = self._client, None
        sub_pool, self._sub_pool = self._sub_pool, None
        if client is not None:
            await client.aclose()
        if sub_pool is not None:
            await sub_pool.disconnect()

    async def publish(self, channel: str, data: bytes) -> None:
        client = self._client
        if client is None:
            raise BrokerNotStarted("RedisBroker.publish() called before start()")
        try:
            await client.publish(self._prefix + channel, data)
        except _UNREACHABLE as exc:
            self._availability.lost(f"PUBLISH failed: {exc}")
            raise self._unavailable("PUBLISH", exc) from exc
        self._availability.reached()

    async def publish_many(self, messages: Sequence[tuple[str, bytes]]) -> None:
        client = self._client
        if client is None:
            raise BrokerNotStarted("RedisBroker.publish_many() called before start()")
        try:
            async with client.pipeline(transaction=False) as pipe:
                for channel, data in messages:
                    pipe.publish(self._prefix + channel, data)
                await pipe.execute()
        except _UNREACHABLE as exc:
            self._availability.lost(f"PUBLISH failed: {exc}")
            raise self._unavailable("PUBLISH", exc) from exc
        self._availability.reached()

    async def subscribe(self, channels: Iterable[str]) -> Subscription:
        if self._sub_pool is None:
            raise BrokerNotStarted("RedisBroker.subscribe() called before start()")
        sub = _RedisSubscription(self, channels)
        try:
            await sub._open()
        except _UNREACHABLE as exc:
            raise self._unavailable("SUBSCRIBE", exc) from exc
        self._subscriptions.add(sub)
        return sub

    def _new_connection(self) -> AbstractConnection:
        if self._sub_pool is None:
            raise BrokerNotStarted("RedisBroker is stopped")
        connection: AbstractConnection = self._sub_pool.make_connection()  # type: ignore[no-untyped-call]
        return connection


async def _write(conn: AbstractConnection, *args: str | bytes) -> None:
    """Send one command on a subscription connection; raises BrokerUnavailable
    (never reconnects) when the connection is closed or closes meanwhile."""
    # redis-py would silently reconnect a closed connection, and the new one would
    # be subscribed to nothing.
    if not conn.is_connected:
        raise BrokerUnavailable("connection closed")
    try:
        await conn.send_command(*args, check_health=False)
    except _UNREACHABLE:
        raise
    except Exception as exc:
        # The write runs in a task of its own (socket timeout), so the reader may
        # close the connection under it; redis-py then fails with internal errors.
        raise BrokerUnavailable(f"connection closed while sending {args[0]!r}") from exc


@dataclass(slots=True)
class _Pending:
    """A (UN)SUBSCRIBE sent on `conn`, waiting for one reply per channel."""

    remaining: int
    conn: AbstractConnection
    done: asyncio.Future[None]


class _RedisSubscription(Subscription):
    def __init__(self, broker: RedisBroker, channels: Iterable[str]) -> None:
        self._broker = broker
        self._prefix = broker._prefix.encode()
        self._prefix_len = len(self._prefix)
        # The wanted set: it outlives connections and is resubscribed on reconnect.
        self._channels: set[str] = set(channels)
        self._inbox = Inbox()
        # Serializes changes to the wanted set with the commands carrying them, so
        # a reconnect always subscribes exactly the current set.
        self._lock = asyncio.Lock()
        self._conn: AbstractConnection | None = None  # None while reconnecting
        self._pending: deque[_Pending] = deque()  # Redis confirms in command order
        self._reader: asyncio.Task[None] | None = None

    # --- public API -----------------------------------------------------------

    async def add(self, channels: Iterable[str]) -> None:
        async with self._lock:
            new = [c for c in dict.fromkeys(channels) if c not in self._channels]
            if not new or self._inbox.closed:
                return
            self._channels.update(new)
            pending = await self._send("SUBSCRIBE", new)
        await self._confirmed(pending)

    async def remove(self, channels: Iterable[str]) -> None:
        async with self._lock:
            gone = [c for c in dict.fromkeys(channels) if c in self._channels]
            if not gone:
                return
            self._channels.difference_update(gone)
            pending = await self._send("UNSUBSCRIBE", gone)
        await self._confirmed(pending)

    async def close(self) -> None:
        if self._inbox.closed:
            return
        self._inbox.close()
        self._broker._subscriptions.discard(self)
        reader, self._reader = self._reader, None
        if reader is not None:
            reader.cancel()
            await asyncio.wait([reader])
        conn, self._conn = self._conn, None
        if conn is not None:
            await conn.disconnect()
        self._release_waiters()

    def __aiter__(self) -> _RedisSubscription:
        return self

    async def __anext__(self) -> BrokerMessage | Resync:
        return await self._inbox.get()

    # --- commands -------------------------------------------------------------

    async def _send(self, command: str, channels: list[str]) -> _Pending | None:
        """Send with the lock held. Returns None without a live connection: the
        next reconnect subscribes the wanted set and then yields a Resync."""
        conn = self._conn
        if conn is None:
            return None
        pending = _Pending(len(channels), conn, asyncio.get_running_loop().create_future())
        self._pending.append(pending)
        try:
            await _write(conn, command, *map(self._encode, channels))
        except _UNREACHABLE:
            # The connection is closed; the reader notices and reconnects.
            return None
        return pending

    async def _confirmed(self, pending: _Pending | None) -> None:
        if pending is None:
            return
        try:
            await asyncio.wait_for(pending.done, self._broker._timeout)
        except TimeoutError:
            # No reply in time: declare the link dead so the reader reconnects and
            # reports a Resync, rather than leave the channel silently half-joined.
            if self._conn is pending.conn:
                await pending.conn.disconnect(nowait=True)

    def _encode(self, channel: str) -> bytes:
        return self._prefix + channel.encode()

    def _release_waiters(self) -> None:
        for pending in self._pending:
            if not pending.done.done():
                pending.done.set_result(None)
        self._pending.clear()

    # --- the reader -----------------------------------------------------------

    async def _open(self) -> None:
        await self._connect()
        self._reader = asyncio.create_task(self._run(), name="caseroom-redis-subscription")

    async def _connect(self) -> AbstractConnection:
        """Open a fresh connection and subscribe the wanted set. The connection
        becomes live only once Redis has confirmed every channel."""
        conn = self._broker._new_connection()
        async with self._lock:
            try:
                async with asyncio.timeout(self._broker._timeout):
                    await conn.connect()  # type: ignore[no-untyped-call]
                    if self._channels:
                        pending = _Pending(
                            len(self._channels), conn, asyncio.get_running_loop().create_future()
                        )
                        self._pending.append(pending)
                        await _write(conn, "SUBSCRIBE", *map(self._encode, self._channels))
                        while not pending.done.done():
                            self._dispatch(await conn.read_response())
            except BaseException:
                self._release_waiters()
                await conn.disconnect(nowait=True)
                raise
            self._conn = conn
        return conn

    async def _run(self) -> None:
        conn = self._conn
        assert conn is not None, "_open() connects before starting the reader"
        while True:
            reason = await self._read_until_lost(conn)
            self._broker._availability.lost(f"subscription interrupted: {reason}")
            self._conn = None  # from now on add()/remove() only record changes
            self._release_waiters()
            async with self._lock:  # let a concurrent send finish before closing
                await conn.disconnect(nowait=True)
            conn = await self._reconnect()
            self._broker._availability.reached()
            self._broker.reconnects += 1
            log.debug("Redis subscription restored")
            self._inbox.put(Resync(reason=reason))

    async def _read_until_lost(self, conn: AbstractConnection) -> str:
        """Deliver messages until the connection fails; returns why it failed."""
        interval = self._broker._health_check_interval
        ping_sent = False
        try:
            while True:
                response = await conn.read_response(timeout=interval)
                if response is not None:
                    ping_sent = False  # any reply proves the link is alive
                    self._dispatch(response)
                    continue
                if ping_sent:
                    raise BrokerUnavailable(f"no reply to PING within {interval}s")
                async with self._lock:
                    await _write(conn, "PING")
                ping_sent = True
        except _UNREACHABLE as exc:
            return f"connection to Redis lost: {exc}"
        except Exception as exc:
            # A bug or an unexpected reply must not end the subscription silently.
            log.exception("unexpected error in the Redis subscription reader")
            return f"subscription reader failed: {exc!r}"

    async def _reconnect(self) -> AbstractConnection:
        delay = self._broker._reconnect_delay
        while True:
            # Pause even before the first attempt: a server that accepts and then
            # drops us at once must not turn this into a hot loop. Jitter spreads
            # the reconnects of many processes after a Redis restart.
            await asyncio.sleep(random.uniform(delay / 2, delay))
            try:
                return await self._connect()
            except (RedisError, OSError) as exc:
                log.debug("Redis still unavailable (%s); retrying", exc)
            except Exception:
                log.exception("unexpected error while resubscribing to Redis")
            delay = min(delay * 2, self._broker._max_reconnect_delay)

    def _dispatch(self, response: Any) -> None:
        # RESP2 pub/sub replies are [kind, channel, payload]; a PONG is shorter.
        if not isinstance(response, list) or len(response) != 3:
            return
        kind = response[0]
        if kind == b"message":
            channel = response[1][self._prefix_len :].decode()
            if channel in self._channels:  # drops stragglers of removed channels
                self._inbox.put(BrokerMessage(channel, response[2]))
        elif kind == b"subscribe" or kind == b"unsubscribe":
            self._confirm_one()

    def _confirm_one(self) -> None:
        if not self._pending:
            return
        pending = self._pending[0]
        pending.remaining -= 1
        if pending.remaining == 0:
            self._pending.popleft()
            if not pending.done.done():
                pending.done.set_result(None)
