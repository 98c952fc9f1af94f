"""The websocket frame gate: a fixed window of frames per connection."""

from __future__ import annotations

from limits import parse

from caseroom.web.frame_gate import FrameGate


def test_frames_over_the_rate_are_refused_per_connection_until_forgotten() -> None:
    gate = FrameGate(max_bytes=100, rate=parse("3/minute"))
    assert [gate.too_many("a") for _ in range(3)] == [None, None, None]
    refused = gate.too_many("a")
    assert refused is not None and 1 <= refused.extra["retry_after"] <= 60
    assert gate.too_many("a") is not None  # a refused frame does not open a new window
    assert gate.too_many("b") is None  # another connection counts its own
    gate.forget("a")
    assert gate.too_many("a") is None


def test_no_rate_counts_nothing() -> None:
    gate = FrameGate(max_bytes=100, rate=None)
    assert all(gate.too_many("a") is None for _ in range(1000))
