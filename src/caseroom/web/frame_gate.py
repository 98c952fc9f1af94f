"""What a websocket client may send: frames up to a size, at up to a rate per
connection. A refused frame is answered with a problem and not handled; the
connection stays open (a client that keeps flooding only keeps being refused).
The rate is parsed by the `limits` package and counted here, in a fixed window per
connection: a connection lives in one process, and `limits`' in-memory storage
starts a timer thread every few milliseconds under load, which costs more CPU
than the frames it counts."""

from __future__ import annotations

import math
import time

from limits import RateLimitItem, parse

from caseroom.config import Settings
from caseroom.domain.errors import RateLimited, TooLarge


class FrameGate:
    def __init__(self, *, max_bytes: int, rate: RateLimitItem | None) -> None:
        self.max_bytes = max_bytes
        self.rate = rate
        # connection id -> [when its window ends, frames counted in it]
        self._windows: dict[str, list[float]] = {}

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
        if self.rate is None:
            return None
        now = time.monotonic()
        window = self._windows.get(connection_id)
        if window is None or window[0] <= now:
            window = self._windows[connection_id] = [now + self.rate.get_expiry(), 0]
        if window[1] >= self.rate.amount:
            return RateLimited(
                f"too many frames: at most {self.rate}; this one was not handled",
                retry_after=max(1, math.ceil(window[0] - now)),
            )
        window[1] += 1
        return None

    def forget(self, connection_id: str) -> None:
        self._windows.pop(connection_id, None)
