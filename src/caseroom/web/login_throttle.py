"""Wrong sign-ins cost time: after a few free failures each one makes the next
attempt wait longer (the wait doubles), and after more the account or address is
locked for a while. Unknown accounts are counted exactly like real ones, so the
answers never tell whether an email is registered."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from limits import RateLimitItem, RateLimitItemPerSecond
from limits.aio.strategies import FixedWindowRateLimiter


@dataclass(frozen=True, slots=True)
class Refusal:
    reason: str  # "delayed" | "locked"
    retry_after: int  # seconds


@dataclass(frozen=True, slots=True)
class FailurePolicy:
    free: int  # failures answered without delay
    lock_after: int  # failures that lock
    delay_base_seconds: int
    lock_seconds: int
    window_seconds: int  # how long a failure is remembered

    def delay_after(self, failures: int) -> int:
        """Seconds the next attempt must wait after `failures` failures (0: none)."""
        if failures <= self.free:
            return 0
        doubled: int = self.delay_base_seconds * 2 ** (failures - self.free - 1)
        return max(1, min(doubled, self.lock_seconds))


class FailureThrottle:
    """Counts failures for one kind of key (an account, a client address). A wait
    or a lock is a one-hit fixed window that starts at the failure that caused it,
    so it ends on its own, in every process that shares the storage."""

    def __init__(self, limiter: FixedWindowRateLimiter, policy: FailurePolicy, kind: str) -> None:
        self._limiter = limiter
        self.policy = policy
        self._kind = kind
        self._failures = RateLimitItemPerSecond(
            policy.lock_after + 1, policy.window_seconds, namespace=f"login-failures-{kind}"
        )
        self._lock = RateLimitItemPerSecond(1, policy.lock_seconds, namespace=f"login-lock-{kind}")

    def _wait(self, seconds: int) -> RateLimitItem:
        return RateLimitItemPerSecond(1, seconds, namespace=f"login-wait-{self._kind}")

    async def failures(self, key: str) -> int:
        stats = await self._limiter.get_window_stats(self._failures, key)
        return self._failures.amount - stats.remaining

    async def refusal(self, key: str) -> Refusal | None:
        """Why an attempt for `key` may not be tried now, if it may not."""
        if not await self._limiter.test(self._lock, key):
            return Refusal("locked", await self._retry_after(self._lock, key))
        delay = self.policy.delay_after(await self.failures(key))
        if delay and not await self._limiter.test(self._wait(delay), key):
            return Refusal("delayed", await self._retry_after(self._wait(delay), key))
        return None

    async def failed(self, key: str) -> None:
        await self._limiter.hit(self._failures, key)
        failures = await self.failures(key)
        if failures >= self.policy.lock_after:
            await self._limiter.hit(self._lock, key)
        elif delay := self.policy.delay_after(failures):
            await self._limiter.hit(self._wait(delay), key)

    async def succeeded(self, key: str) -> None:
        await self._limiter.clear(self._failures, key)
        for failures in range(self.policy.free + 1, self.policy.lock_after):
            await self._limiter.clear(self._wait(self.policy.delay_after(failures)), key)

    async def _retry_after(self, item: RateLimitItem, key: str) -> int:
        stats = await self._limiter.get_window_stats(item, key)
        return max(1, math.ceil(stats.reset_time - time.time()))
