"""What a websocket client may send: frames up to a size, at up to a rate per
connection. A refused frame is answered with a problem and not handled; the
connection stays open (a client that keeps flooding only keeps being refused).
Counted with the `limits` package, in this process: a connection lives in one."""

from __future__ import annotations

import math
import time

from limits import RateLimitItem, parse
from limits.storage import MemoryStorage
from limits.strategies import FixedWindowRateLimiter

from caseroom.config import Settings
from caseroom.domain.errors import RateLimited, TooLarge


class FrameGate:
    def __init__(self, *, max_bytes: int, rate: RateLimitItem | None) -> None:
        self.max_bytes = max_bytes
        self.rate = rate
        self._limiter = FixedWindowRateLimiter(MemoryStorage()) if rate else None

    @classmethod
    def from_settings(cls, settings: Settings) -> FrameGate:
        rate = parse(settings.limit_websocket_frames) if settings.limits_enabled else None
        return cls(max_bytes=settings.ws_max_frame_bytes, rate=rate)

    def oversized(self, raw: str) -> TooLarge | None:
        """Checked before a frame is parsed."""
        if len(raw) > self.max_bytes:  # characters: never more than its UTF-8 bytes
            return TooLarge(f"a frame may be at most {self.max_bytes} bytes", limit=self.max_bytes)
        return None

    def too_many(self, connection_id: str) -> RateLimited | None:
        """Counts this frame against the connection's rate."""
        if self._limiter and self.rate and not self._limiter.hit(self.rate, connection_id):
            reset = self._limiter.get_window_stats(self.rate, connection_id).reset_time
            return RateLimited(
                f"too many frames: at most {self.rate}; this one was not handled",
                retry_after=max(1, math.ceil(reset - time.time())),
            )
        return None

    def forget(self, connection_id: str) -> None:
        if self._limiter and self.rate:
            self._limiter.clear(self.rate, connection_id)
