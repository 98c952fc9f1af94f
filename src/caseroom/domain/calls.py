"""Video calls from an Issue's room: the call record and its state machine.

A call rings (`ringing`) from the moment an agent starts it, is `active` once
someone else joins, and `ended` when fewer than two participants remain after it
was answered, when everyone has left, when the Customer declines, or when it
rings out. Each participant is one connection (a browser tab): a person who
reconnects joins again with a new connection and their old one is let go.

Pure: every transition takes the time and returns a new Call plus the timeline
lines it calls for; nothing here stores or sends anything."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from caseroom.domain.errors import LimitReached, NotFound
from caseroom.domain.model import (
    AgentPrincipal,
    AuthorKind,
    CustomerPrincipal,
    Issue,
    Principal,
    Room,
)
from caseroom.domain.visibility import can_see_room


class CallState(StrEnum):
    RINGING = "ringing"
    ACTIVE = "active"
    ENDED = "ended"


class EndReason(StrEnum):
    COMPLETED = "completed"
    MISSED = "missed"
    DECLINED = "declined"
    FAILED = "failed"


NO_SUCH_CALL = "no such call"


@dataclass(frozen=True, slots=True)
class Caller:
    """Who takes part: an agent or the Customer, as the timeline names them."""

    kind: AuthorKind
    id: str
    name: str


@dataclass(frozen=True, slots=True)
class Participant:
    who: Caller
    connection_id: str
    joined_at: datetime
    left_at: datetime | None = None

    @property
    def present(self) -> bool:
        return self.left_at is None


@dataclass(frozen=True, slots=True)
class Call:
    id: str
    org_id: str
    issue_id: str
    room: Room
    state: CallState
    started_by: Caller
    started_at: datetime
    ring_until: datetime
    participants: tuple[Participant, ...] = ()
    declined_by: tuple[Caller, ...] = ()
    answered_at: datetime | None = None
    ended_at: datetime | None = None
    ended_reason: EndReason | None = None
    # Set by a transition: the lines it adds to the timeline (never stored).
    notes: tuple[str, ...] = field(default=(), compare=False)

    @property
    def present(self) -> tuple[Participant, ...]:
        return tuple(p for p in self.participants if p.present)

    def at(self, connection_id: str) -> Participant | None:
        """The present participant on this connection, if any."""
        return next((p for p in self.present if p.connection_id == connection_id), None)

    @property
    def duration(self) -> timedelta | None:
        if self.answered_at is None or self.ended_at is None:
            return None
        return self.ended_at - self.answered_at


def caller_of(principal: Principal) -> Caller:
    match principal:
        case AgentPrincipal():
            return Caller(AuthorKind.AGENT, principal.agent.id, principal.agent.name)
        case CustomerPrincipal():
            return Caller(AuthorKind.CUSTOMER, principal.customer.id, principal.customer.name)
        case _:
            raise NotFound(NO_SUCH_CALL)


# -- who may do what (through the one visibility rule) ------------------------------


def may_start(principal: Principal, issue: Issue, room: Room) -> bool:
    """Agents start calls, in a room they can see."""
    return isinstance(principal, AgentPrincipal) and can_see_room(principal, issue, room)


def may_start_any(principal: Principal) -> bool:
    return isinstance(principal, AgentPrincipal)


def may_join(principal: Principal, issue: Issue, call: Call) -> bool:
    """Whoever may see the call's room: a Customer only their own Issue's public
    room; a private-room call admits agents only. Bots never join."""
    if call.issue_id != issue.id or call.org_id != issue.org_id:
        return False
    if not isinstance(principal, AgentPrincipal | CustomerPrincipal):
        return False
    return can_see_room(principal, issue, call.room)


# -- transitions -----------------------------------------------------------------------


def start_call(
    call_id: str,
    issue: Issue,
    room: Room,
    who: Caller,
    connection_id: str,
    *,
    now: datetime,
    ring_for: timedelta,
) -> Call:
    return Call(
        id=call_id,
        org_id=issue.org_id,
        issue_id=issue.id,
        room=room,
        state=CallState.RINGING,
        started_by=who,
        started_at=now,
        ring_until=now + ring_for,
        participants=(Participant(who, connection_id, now),),
        notes=(f"Video call started by {who.name}",),
    )


def join(call: Call, who: Caller, connection_id: str, *, now: datetime, limit: int) -> Call:
    """`who` joins on `connection_id` (again, after a reconnect: their earlier
    connection leaves). The first to join besides the caller answers the call."""
    if call.state is CallState.ENDED:
        raise NotFound(NO_SUCH_CALL)
    if call.at(connection_id) is not None:
        return dataclasses.replace(call, notes=())
    earlier = [p for p in call.present if p.who == who]
    participants = tuple(
        dataclasses.replace(p, left_at=now) if p in earlier else p for p in call.participants
    )
    if len([p for p in participants if p.present]) >= limit:
        raise LimitReached(f"a call has at most {limit} participants", limit=limit)
    participants += (Participant(who, connection_id, now),)
    answered = call.answered_at
    state = call.state
    if state is CallState.RINGING and who != call.started_by:
        state, answered = CallState.ACTIVE, now
    first_time = not any(p.who == who for p in call.participants)
    notes = (f"{who.name} joined the video call",) if first_time else ()
    return dataclasses.replace(
        call, participants=participants, state=state, answered_at=answered, notes=notes
    )


def decline(call: Call, who: Caller, *, now: datetime) -> Call:
    """The Customer's decline ends a ringing call; an invited agent's is recorded
    and the call keeps ringing for the others."""
    if call.state is CallState.ENDED:
        raise NotFound(NO_SUCH_CALL)
    if call.state is not CallState.RINGING or who in call.declined_by:
        return dataclasses.replace(call, notes=())
    declined = dataclasses.replace(call, declined_by=(*call.declined_by, who))
    if who.kind is AuthorKind.CUSTOMER:
        return _end(declined, EndReason.DECLINED, now, f"{who.name} declined the video call")
    return dataclasses.replace(declined, notes=())


def leave(call: Call, connection_id: str, *, now: datetime, failed: bool = False) -> Call:
    """The participant on `connection_id` leaves (hangs up, or their socket
    closed). `failed`: their media never connected."""
    if call.state is CallState.ENDED or call.at(connection_id) is None:
        raise NotFound(NO_SUCH_CALL)
    participants = tuple(
        dataclasses.replace(p, left_at=now) if p.connection_id == connection_id else p
        for p in call.participants
    )
    left = dataclasses.replace(call, participants=participants, notes=())
    remaining = len(left.present)
    if call.state is CallState.RINGING:
        if remaining == 0 or left.started_by not in {p.who for p in left.present}:
            return _end(left, EndReason.MISSED, now, _missed(call))
        return left
    if remaining < 2:
        return _end(left, EndReason.FAILED if failed else EndReason.COMPLETED, now, None)
    return left


def ring_out(call: Call, *, now: datetime) -> Call:
    """Nobody answered in time: a missed call (no change once answered or ended)."""
    if call.state is not CallState.RINGING or now < call.ring_until:
        return dataclasses.replace(call, notes=())
    return _end(call, EndReason.MISSED, now, _missed(call))


def _missed(call: Call) -> str:
    return f"Missed video call from {call.started_by.name}"


def _end(call: Call, reason: EndReason, now: datetime, note: str | None) -> Call:
    participants = tuple(
        p if not p.present else dataclasses.replace(p, left_at=now) for p in call.participants
    )
    ended = dataclasses.replace(
        call,
        state=CallState.ENDED,
        ended_at=now,
        ended_reason=reason,
        participants=participants,
    )
    if note is None:
        if reason is EndReason.FAILED:
            note = "Video call failed: the media did not connect"
        else:
            note = f"Video call ended · {format_duration(ended.duration or timedelta())}"
    return dataclasses.replace(ended, notes=(note,))


def format_duration(length: timedelta) -> str:
    seconds = max(0, int(length.total_seconds()))
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    if hours:
        return f"{hours} h {minutes:02d} min"
    if minutes:
        return f"{minutes} min {seconds:02d} s"
    return f"{seconds} s"
