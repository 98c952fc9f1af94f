"""Pick a broker backend from configuration."""

from __future__ import annotations

from caseroom.realtime.broker import Broker
from caseroom.realtime.memory_broker import MemoryBroker
from caseroom.realtime.redis_broker import RedisBroker


def broker_from_url(url: str | None, *, prefix: str = "caseroom:") -> Broker:
    """None or "memory://" -> MemoryBroker (one process only); "redis://..." or
    "rediss://..." -> RedisBroker, with every channel name under `prefix`."""
    if url is None or url == "memory://":
        return MemoryBroker()
    scheme, sep, _ = url.partition("://")
    if sep and scheme.lower() in ("redis", "rediss"):
        return RedisBroker(url, prefix=prefix)
    # Only the scheme is echoed back: the rest of a URL may hold a password.
    shown = f"scheme {scheme!r}" if sep else "value (no '://')"
    raise ValueError(
        f"unsupported broker URL {shown}: expected 'memory://', 'redis://...' or 'rediss://...'"
    )
