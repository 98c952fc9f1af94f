"""The call state machine, who may join which call, and TURN REST credentials."""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import UTC, datetime, timedelta

import pytest

from caseroom.domain import calls
from caseroom.domain.calls import Caller, CallState, EndReason
from caseroom.domain.errors import LimitReached, NotFound
from caseroom.domain.ice import ice_servers, turn_credential
from caseroom.domain.model import AuthorKind, Room
from tests.unit.test_visibility import agent, customer, issue

NOW = datetime(2026, 1, 1, 12, tzinfo=UTC)
ANA = Caller(AuthorKind.AGENT, "agent-1", "Ana")
BEN = Caller(AuthorKind.AGENT, "agent-2", "Ben")
CASEY = Caller(AuthorKind.CUSTOMER, "cust-1", "Casey")
RING = timedelta(seconds=45)


def ringing(room: Room = Room.PUBLIC) -> calls.Call:
    return calls.start_call("call-1", issue(), room, ANA, "c-ana", now=NOW, ring_for=RING)


def at(seconds: float) -> datetime:
    return NOW + timedelta(seconds=seconds)


def test_an_answered_call_ends_when_one_of_two_hangs_up_with_its_duration() -> None:
    call = ringing()
    assert call.state is CallState.RINGING and call.notes == ("Video call started by Ana",)
    call = calls.join(call, CASEY, "c-casey", now=at(5), limit=4)
    assert call.state is CallState.ACTIVE and call.answered_at == at(5)
    assert call.notes == ("Casey joined the video call",)
    call = calls.leave(call, "c-casey", now=at(130))
    assert call.state is CallState.ENDED and call.ended_reason is EndReason.COMPLETED
    assert call.notes == ("Video call ended · 2 min 05 s",)
    assert all(p.left_at == at(130) for p in call.participants)


def test_unanswered_calls_are_missed_declined_or_rung_out() -> None:
    assert calls.ring_out(ringing(), now=at(44)).state is CallState.RINGING
    rung = calls.ring_out(ringing(), now=at(45))
    assert rung.ended_reason is EndReason.MISSED and rung.notes == ("Missed video call from Ana",)
    hung_up = calls.leave(ringing(), "c-ana", now=at(3))
    assert hung_up.ended_reason is EndReason.MISSED
    declined = calls.decline(ringing(), CASEY, now=at(3))
    assert declined.ended_reason is EndReason.DECLINED
    assert declined.notes == ("Casey declined the video call",)
    # An invited agent's decline leaves a private-room call ringing for the others.
    private = calls.decline(ringing(Room.PRIVATE), BEN, now=at(3))
    assert private.state is CallState.RINGING and private.declined_by == (BEN,)
    with pytest.raises(NotFound):
        calls.join(declined, CASEY, "c-casey", now=at(4), limit=4)


def test_a_mesh_keeps_going_until_one_is_left_and_a_reconnect_replaces_the_connection() -> None:
    call = calls.join(ringing(Room.PRIVATE), BEN, "c-ben", now=at(1), limit=3)
    call = calls.join(
        call, Caller(AuthorKind.AGENT, "agent-3", "Cleo"), "c-cleo", now=at(2), limit=3
    )
    with pytest.raises(LimitReached):
        calls.join(call, Caller(AuthorKind.AGENT, "agent-4", "Dee"), "c-dee", now=at(3), limit=3)
    again = calls.join(call, BEN, "c-ben-2", now=at(4), limit=3)
    assert again.notes == () and [p.connection_id for p in again.present] == [
        "c-ana",
        "c-cleo",
        "c-ben-2",
    ]
    call = calls.leave(again, "c-cleo", now=at(5))
    assert call.state is CallState.ACTIVE
    call = calls.leave(call, "c-ben-2", now=at(6), failed=True)
    assert call.ended_reason is EndReason.FAILED
    with pytest.raises(NotFound):  # not in the call (any more): like no call at all
        calls.leave(call, "c-ana", now=at(7))


def test_a_customer_joins_only_their_own_issues_public_room_call() -> None:
    public, private = ringing(Room.PUBLIC), ringing(Room.PRIVATE)
    casey = customer("org-a", "cust-1", None)
    assert calls.may_join(casey, issue(), public)
    assert not calls.may_join(casey, issue(), private)
    assert not calls.may_join(customer("org-a", "cust-2", None), issue(), public)
    assert not calls.may_join(customer("org-a", "cust-1", frozenset({"issue-2"})), issue(), public)
    assert not calls.may_join(agent("org-b"), issue(), public)
    assert calls.may_join(agent("org-a"), issue(), private)
    assert not calls.may_start(casey, issue(), Room.PUBLIC)


def test_turn_credentials_follow_the_rest_convention() -> None:
    expires = datetime(2026, 1, 1, 13, tzinfo=UTC)
    credential = turn_credential("s3cret", "call-1", expires_at=expires)
    assert credential.username == f"{int(expires.timestamp())}:call-1"
    digest = hmac.new(b"s3cret", credential.username.encode(), hashlib.sha1).digest()
    assert credential.password == base64.b64encode(digest).decode()

    config = {"stun_urls": "stun:a.example:3478", "turn_urls": "turn:t.example, turns:t.example"}
    servers = ice_servers(config, "s3cret", "call-1", now=NOW, ttl=timedelta(hours=1))
    assert servers[0] == {"urls": ["stun:a.example:3478"]}
    assert servers[1]["urls"] == ["turn:t.example", "turns:t.example"]
    assert servers[1]["username"].startswith(f"{int((NOW + timedelta(hours=1)).timestamp())}:")
    # TURN without its secret is left out: there is no static password to hand out.
    assert ice_servers(config, None, "call-1", now=NOW, ttl=timedelta(hours=1)) == servers[:1]
    assert ice_servers({}, None, "call-1", now=NOW, ttl=timedelta(hours=1)) == []
