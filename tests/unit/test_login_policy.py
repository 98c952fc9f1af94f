from __future__ import annotations

from caseroom.web.login_throttle import FailurePolicy


def policy(**changes: int) -> FailurePolicy:
    values = {
        "free": 3,
        "lock_after": 10,
        "delay_base_seconds": 1,
        "lock_seconds": 900,
        "window_seconds": 3600,
    }
    return FailurePolicy(**{**values, **changes})


def test_the_first_failures_cost_nothing_then_the_wait_doubles() -> None:
    waits = [policy().delay_after(n) for n in range(10)]
    assert waits == [0, 0, 0, 0, 1, 2, 4, 8, 16, 32]


def test_a_wait_never_exceeds_the_lock() -> None:
    assert policy(lock_seconds=5, lock_after=100).delay_after(50) == 5
