"""Authenticated principals kept in memory, so that a client's burst of requests
reads its credential once rather than on every call.

What keeps this exact: every request first reads the principal epoch, one row
that moves on in the same transaction as any write that may change who a
credential stands for, in any process (storage/principal_epoch.py). What was
kept under an older epoch is never used. What remains is bounded by time:
nothing is kept past its credential's own expiry, nor longer than `ttl`, which
is how long a change made in the database behind caseroom's back (by hand, in
SQL) can go unseen."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from caseroom.domain.model import Principal


@dataclass(frozen=True, slots=True)
class _Entry:
    principal: Principal
    fresh_until: float  # on the monotonic clock
    expires_at: datetime | None  # the credential's own expiry


class PrincipalCache:
    def __init__(
        self,
        ttl_seconds: float,
        *,
        max_entries: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._ttl = ttl_seconds
        self._max = max_entries
        self._clock = clock
        self._now = now
        self._entries: dict[str, _Entry] = {}
        self._epoch: int | None = None

    @property
    def enabled(self) -> bool:
        return self._ttl > 0

    def get(self, key: str, epoch: int | None) -> Principal | None:
        """What was kept for `key`, if it was read at `epoch` (the one just read)
        and is still fresh."""
        if epoch is None or epoch != self._epoch:
            self._entries.clear()
            self._epoch = epoch
            return None
        entry = self._entries.get(key)
        if entry is None:
            return None
        if entry.fresh_until <= self._clock() or (
            entry.expires_at is not None and entry.expires_at <= self._now()
        ):
            del self._entries[key]
            return None
        return entry.principal

    def put(
        self, key: str, principal: Principal, expires_at: datetime | None, epoch: int | None
    ) -> None:
        """Keep `principal`, read after the epoch was `epoch`."""
        if not self.enabled or epoch is None or epoch != self._epoch:
            return
        if len(self._entries) >= self._max:
            self._entries.clear()  # rare; cheaper than tracking use
        self._entries[key] = _Entry(principal, self._clock() + self._ttl, expires_at)

    def __len__(self) -> int:
        return len(self._entries)
