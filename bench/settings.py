"""What a benchmark run measures, from BENCH_* environment variables. The
defaults keep `make bench` to a few minutes; raise them for steadier figures."""

from __future__ import annotations

import os
from dataclasses import dataclass, field


def _ints(name: str, default: str) -> list[int]:
    return [int(x) for x in os.environ.get(name, default).split(",") if x.strip()]


def _float(name: str, default: float) -> float:
    return float(os.environ.get(name, default))


def _int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


@dataclass(frozen=True)
class BenchSettings:
    # Load: Issues under load (a Customer and an agent connected to each), the
    # agents sharing them, and the open-loop rates (msg/s), each held this long.
    issues: int = field(default_factory=lambda: _int("BENCH_ISSUES", 1000))
    agents: int = field(default_factory=lambda: _int("BENCH_AGENTS", 20))
    rates: list[int] = field(
        default_factory=lambda: _ints("BENCH_RATES", "250,500,1000,2000,4000,8000")
    )
    step_seconds: float = field(default_factory=lambda: _float("BENCH_STEP_SECONDS", 3.0))
    # A step ends when all is acknowledged and received, or nothing moved this long.
    drain_seconds: float = field(default_factory=lambda: _float("BENCH_DRAIN_SECONDS", 3.0))
    body_bytes: int = field(default_factory=lambda: _int("BENCH_BODY_BYTES", 80))
    # Idle connections held by one process, opened in these steps.
    idle_levels: list[int] = field(default_factory=lambda: _ints("BENCH_IDLE", "1000,5000,10000"))
    # Reads: Issues in the large organization, messages in its long room, requests timed.
    big_issues: int = field(default_factory=lambda: _int("BENCH_BIG_ISSUES", 100_000))
    history: int = field(default_factory=lambda: _int("BENCH_HISTORY", 10_000))
    # Messages in the whole large organization (the long room's included).
    org_messages: int = field(default_factory=lambda: _int("BENCH_ORG_MESSAGES", 1_000_000))
    reads: int = field(default_factory=lambda: _int("BENCH_READS", 200))
    # SMS webhooks: texts posted, and how many at once.
    sms_texts: int = field(default_factory=lambda: _int("BENCH_SMS_TEXTS", 2000))
    sms_concurrency: int = field(default_factory=lambda: _int("BENCH_SMS_CONCURRENCY", 32))
    # Inbound mails sent over SMTP in the mail scenario.
    mails: int = field(default_factory=lambda: _int("BENCH_MAILS", 1000))
    # Search: Issues in the organization, messages in each, searches timed per query.
    search_issues: int = field(default_factory=lambda: _int("BENCH_SEARCH_ISSUES", 100_000))
    search_per_issue: int = field(default_factory=lambda: _int("BENCH_SEARCH_PER_ISSUE", 10))
    searches: int = field(default_factory=lambda: _int("BENCH_SEARCHES", 100))
    # Scenarios to run (comma separated names; empty: all).
    only: list[str] = field(
        default_factory=lambda: [
            s.strip() for s in os.environ.get("BENCH_ONLY", "").split(",") if s.strip()
        ]
    )
    postgres: str = field(
        default_factory=lambda: os.environ.get(
            "BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432"
        )
    )
    redis: str = field(
        default_factory=lambda: os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379/0")
    )

    def wants(self, scenario: str) -> bool:
        return not self.only or scenario in self.only
