"""The events of video calls: the call as it changes (stored, in its room), the
invitation of a private-room call's watchers, and signaling addressed to one
participant's connection (ephemeral)."""

from __future__ import annotations

import dataclasses
from typing import Any

from caseroom.domain.calls import Call, Caller
from caseroom.domain.events import Event
from caseroom.domain.model import Issue, Room
from caseroom.domain.visibility import issue_scope

CALL_UPDATED = "call.updated"
CALL_INVITED = "call.invited"
CALL_SIGNAL = "call.signal"


def _who(caller: Caller) -> dict[str, str]:
    return {"kind": caller.kind.value, "id": caller.id, "name": caller.name}


def call_payload(call: Call) -> dict[str, Any]:
    def iso(value: Any) -> str | None:
        return value.isoformat() if value else None

    duration = call.duration
    return {
        "id": call.id,
        "issue_id": call.issue_id,
        "room": call.room.value,
        "state": call.state.value,
        "started_by": _who(call.started_by),
        "started_at": iso(call.started_at),
        "ring_until": iso(call.ring_until),
        "answered_at": iso(call.answered_at),
        "ended_at": iso(call.ended_at),
        "ended_reason": call.ended_reason.value if call.ended_reason else None,
        "duration_seconds": int(duration.total_seconds()) if duration else None,
        "participants": [
            {
                "who": _who(p.who),
                "connection_id": p.connection_id,
                "joined_at": iso(p.joined_at),
                "left_at": iso(p.left_at),
            }
            for p in call.participants
        ],
        "declined_by": [_who(c) for c in call.declined_by],
    }


def call_updated(issue: Issue, call: Call) -> Event:
    """Whoever may see the call's room sees the call: a public-room call reaches
    the Customer, a private-room call only agents."""
    return Event(
        type=CALL_UPDATED,
        scope=issue_scope(issue, call.room),
        issue_id=issue.id,
        payload={"call": call_payload(call)},
        room=call.room,
    )


def call_invited(issue: Issue, call: Call, agent_id: str) -> Event:
    """A private-room call rings for each of the Issue's watchers, wherever they are."""
    scope = dataclasses.replace(issue_scope(issue, Room.PRIVATE), agent_id=agent_id)
    payload = {
        "call": call_payload(call),
        "issue": {"id": issue.id, "reference": issue.reference, "subject": issue.subject},
    }
    return Event(CALL_INVITED, scope, issue.id, payload, room=Room.PRIVATE)


def call_signal(
    issue: Issue, call: Call, *, to: str, sender: str, who: Caller, data: dict[str, Any]
) -> Event:
    """An offer, answer or ICE candidate for the participant on connection `to`."""
    scope = dataclasses.replace(issue_scope(issue, call.room), connection_id=to)
    payload = {"call_id": call.id, "from": sender, "who": _who(who), "signal": data}
    return Event(CALL_SIGNAL, scope, issue.id, payload, room=call.room)
