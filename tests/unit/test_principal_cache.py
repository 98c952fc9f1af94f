"""The in-memory principal cache: what it keeps, for how long, and that nothing
kept under an older principal epoch is ever used."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from caseroom.domain.model import Agent, AgentPrincipal, Role
from caseroom.web.principal_cache import PrincipalCache

ANA = AgentPrincipal("org-a", Agent("ana", "org-a", "ana@example.com", "Ana", Role.AGENT))
NOW = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)


class Clocks:
    def __init__(self) -> None:
        self.monotonic = 100.0
        self.wall = NOW

    def pass_(self, seconds: float) -> None:
        self.monotonic += seconds
        self.wall += timedelta(seconds=seconds)


def cache(clocks: Clocks, ttl: float = 5.0) -> PrincipalCache:
    return PrincipalCache(ttl, clock=lambda: clocks.monotonic, now=lambda: clocks.wall)


def kept_at(kept: PrincipalCache, epoch: int, expires_at: datetime | None = None) -> None:
    assert kept.get("k", epoch) is None  # a request at `epoch` misses, reads, keeps
    kept.put("k", ANA, expires_at, epoch)


def test_a_principal_is_kept_for_the_ttl_and_no_longer() -> None:
    clocks = Clocks()
    kept = cache(clocks)
    kept_at(kept, 7)
    clocks.pass_(4.9)
    assert kept.get("k", 7) == ANA
    clocks.pass_(0.2)
    assert kept.get("k", 7) is None


def test_a_principal_is_never_kept_past_its_credentials_expiry() -> None:
    clocks = Clocks()
    kept = cache(clocks)
    kept_at(kept, 7, NOW + timedelta(seconds=1))
    assert kept.get("k", 7) == ANA
    clocks.pass_(1.0)
    assert kept.get("k", 7) is None


def test_a_new_epoch_forgets_everything_even_when_it_is_seen_late() -> None:
    clocks = Clocks()
    kept = cache(clocks)
    kept_at(kept, 7)
    assert kept.get("k", 8) is None  # something changed: nothing kept is used
    kept.put("k", ANA, None, 7)  # a slow request that read at 7 arrives after 8 was seen
    assert kept.get("k", 8) is None
    kept.put("k", ANA, None, 8)
    assert kept.get("k", 8) == ANA


def test_an_unreadable_epoch_or_a_ttl_of_zero_keeps_nothing() -> None:
    clocks = Clocks()
    kept = cache(clocks)
    kept_at(kept, 7)
    assert kept.get("k", None) is None
    kept.put("k", ANA, None, None)
    assert kept.get("k", None) is None and len(kept) == 0
    off = cache(clocks, ttl=0)
    kept_at(off, 7)
    assert off.get("k", 7) is None and not off.enabled
