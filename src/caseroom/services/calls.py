"""Use cases on video calls: start, join, decline, leave, ring out, and the
signaling between participants.

The call is durable (the `calls` table); each change is told to the room as a
`call.updated` event and, where the timeline should show it, as a system
message of channel `video` in the call's room. Who may take part is decided
by the one visibility rule (`domain/calls.may_join`); a call the principal may
not join answers exactly like a call that does not exist."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from caseroom.domain import calls
from caseroom.domain.call_events import call_invited, call_signal, call_updated
from caseroom.domain.calls import NO_SUCH_CALL, Call, caller_of
from caseroom.domain.errors import Conflict, Forbidden, InvalidInput, NotFound
from caseroom.domain.ice import ice_servers
from caseroom.domain.ids import new_id
from caseroom.domain.model import Channel, Issue, Principal, Room
from caseroom.services.common import access_issue, utcnow
from caseroom.services.messages import post_system_event
from caseroom.storage.uow import UnitOfWork

RING_OUT_JOB = "calls.ring_out"
DROPPED_JOB = "calls.leave_dropped"


@dataclass(frozen=True, slots=True)
class CallLimits:
    ring_for: timedelta
    max_participants: int
    credential_ttl: timedelta


@dataclass(frozen=True, slots=True)
class Joined:
    """A call as its new participant gets it, with the ICE servers to use."""

    call: Call
    ice_servers: list[dict[str, Any]]


async def start_call(
    principal: Principal,
    uow: UnitOfWork,
    issue_id: str,
    room: Room,
    connection_id: str,
    limits: CallLimits,
) -> Joined:
    """An agent starts a call in a room: it rings for the Customer (public room)
    or the Issue's watchers (private room)."""
    issue = await access_issue(principal, uow, issue_id, for_update=True)
    if not calls.may_start(principal, issue, room):
        raise Forbidden("only agents start video calls")
    if Channel.VIDEO not in await uow.channels.configured(issue.org_id):
        raise InvalidInput("video calls are not set up for this organization", field="channel")
    busy = [c for c in await uow.calls.live(issue.org_id, issue.id) if c.room is room]
    if busy:
        raise Conflict(f"a call is already under way in the {room.value} room", call_id=busy[0].id)
    now = utcnow()
    who = caller_of(principal)
    call = calls.start_call(
        new_id(), issue, room, who, connection_id, now=now, ring_for=limits.ring_for
    )
    await uow.calls.add(call)
    await _told(uow, issue, call)
    await uow.jobs.enqueue(
        RING_OUT_JOB,
        {"call_id": call.id},
        org_id=issue.org_id,
        now=now,
        dedupe_key=f"{RING_OUT_JOB}:{call.id}",
        run_after=call.ring_until,
    )
    if room is Room.PRIVATE:
        for agent_id in issue.watcher_ids:
            if agent_id != who.id:
                uow.emit(call_invited(issue, call, agent_id))
    return Joined(call, await ice_for(uow, call, now, limits))


async def join_call(
    principal: Principal, uow: UnitOfWork, call_id: str, connection_id: str, limits: CallLimits
) -> Joined:
    issue, call = await _access_call(principal, uow, call_id, for_update=True)
    now = utcnow()
    joined = calls.join(
        call, caller_of(principal), connection_id, now=now, limit=limits.max_participants
    )
    await _save(uow, issue, call, joined)
    return Joined(joined, await ice_for(uow, joined, now, limits))


async def decline_call(principal: Principal, uow: UnitOfWork, call_id: str) -> Call:
    issue, call = await _access_call(principal, uow, call_id, for_update=True)
    declined = calls.decline(call, caller_of(principal), now=utcnow())
    await _save(uow, issue, call, declined)
    return declined


async def leave_call(
    principal: Principal,
    uow: UnitOfWork,
    call_id: str,
    connection_id: str,
    *,
    failed: bool = False,
) -> Call:
    """The participant on `connection_id` hangs up (or their socket closed)."""
    issue, call = await _access_call(principal, uow, call_id, for_update=True)
    left = calls.leave(call, connection_id, now=utcnow(), failed=failed)
    await _save(uow, issue, call, left)
    return left


async def ring_out(uow: UnitOfWork, org_id: str, call_id: str, now: datetime) -> Call | None:
    """End the call as missed if it still rings past its time (the ringing
    timeout's job and timer both come here; the second finds nothing to do)."""
    found = await uow.calls.get(org_id, call_id)
    if found is None:
        return None
    issue = await uow.issues.get(org_id, found.issue_id, for_update=True)
    call = await uow.calls.get(org_id, call_id, for_update=True)
    if issue is None or call is None:
        return None
    rung = calls.ring_out(call, now=now)
    await _save(uow, issue, call, rung)
    return rung


async def schedule_dropped(
    uow: UnitOfWork, org_id: str, call_id: str, connection_id: str, *, now: datetime, at: datetime
) -> None:
    """The socket of a participant closed: unless they rejoin (from a new socket)
    by `at`, they leave then. A job, so that it happens whichever process runs."""
    await uow.jobs.enqueue(
        DROPPED_JOB,
        {"call_id": call_id, "connection_id": connection_id},
        org_id=org_id,
        now=now,
        dedupe_key=f"{DROPPED_JOB}:{call_id}:{connection_id}",
        run_after=at,
    )


async def leave_dropped(
    uow: UnitOfWork, org_id: str, call_id: str, connection_id: str, now: datetime
) -> Call | None:
    """The dropped connection leaves the call, if it is still in it (a rejoin
    has replaced it already, or the call is over: nothing to do)."""
    found = await uow.calls.get(org_id, call_id)
    if found is None:
        return None
    issue = await uow.issues.get(org_id, found.issue_id, for_update=True)
    call = await uow.calls.get(org_id, call_id, for_update=True)
    if issue is None or call is None or call.at(connection_id) is None:
        return None
    if call.state is calls.CallState.ENDED:
        return None
    left = calls.leave(call, connection_id, now=now)
    await _save(uow, issue, call, left)
    return left


async def send_signal(
    principal: Principal,
    uow: UnitOfWork,
    call_id: str,
    *,
    sender: str,
    to: str,
    data: dict[str, Any],
) -> None:
    """Pass an offer, answer or ICE candidate to another participant of the same
    call. Ephemeral: staged for publishing at once, nothing is stored."""
    issue, call = await _access_call(principal, uow, call_id)
    me = call.at(sender)
    if me is None or to == sender or call.at(to) is None:
        raise NotFound(NO_SUCH_CALL)
    uow.emit(call_signal(issue, call, to=to, sender=sender, who=me.who, data=data))


async def live_calls(principal: Principal, uow: UnitOfWork) -> list[Call]:
    """Agents: the organization's calls ringing or under way, for the inbox."""
    if not calls.may_start_any(principal):
        raise Forbidden("only agents see every call")
    return await uow.calls.live(principal.org_id)


async def issue_calls(principal: Principal, uow: UnitOfWork, issue_id: str) -> list[Call]:
    """The Issue's calls, newest first, in the rooms the principal may see."""
    issue = await access_issue(principal, uow, issue_id)
    found = await uow.calls.for_issue(issue.org_id, issue.id)
    return [c for c in found if calls.may_join(principal, issue, c)]


async def ice_for(
    uow: UnitOfWork, call: Call, now: datetime, limits: CallLimits
) -> list[dict[str, Any]]:
    """The organization's STUN and TURN servers, with a TURN credential minted now
    for this call (none set up: no servers; browsers on one network still meet)."""
    setup = await uow.channels.get(call.org_id, Channel.VIDEO)
    if setup is None or not setup.enabled:
        return []
    secret = None
    if "turn_secret" in setup.secret_names:
        secret = (await uow.channels.secrets(call.org_id, Channel.VIDEO)).get("turn_secret")
    return ice_servers(setup.config, secret, call.id, now=now, ttl=limits.credential_ttl)


async def _access_call(
    principal: Principal, uow: UnitOfWork, call_id: str, *, for_update: bool = False
) -> tuple[Issue, Call]:
    """The call and its Issue, if the principal may join it; else the one 404,
    whether the call is missing, another Issue's, or in a room they cannot see.
    Locks the Issue before the call (the order every writer takes)."""
    found = await uow.calls.get(principal.org_id, call_id)
    if found is None:
        raise NotFound(NO_SUCH_CALL)
    issue = await uow.issues.get(principal.org_id, found.issue_id, for_update=for_update)
    if issue is None or not calls.may_join(principal, issue, found):
        raise NotFound(NO_SUCH_CALL)
    if for_update:
        locked = await uow.calls.get(principal.org_id, call_id, for_update=True)
        assert locked is not None
        found = locked
    return issue, found


async def _save(uow: UnitOfWork, issue: Issue, before: Call, after: Call) -> None:
    if after == before:
        return
    await uow.calls.save(after)
    await _told(uow, issue, after)


async def _told(uow: UnitOfWork, issue: Issue, call: Call) -> None:
    """The timeline lines the change calls for, then the call itself."""
    for note in call.notes:
        await post_system_event(uow, issue, call.room, note, channel=Channel.VIDEO)
    uow.emit(call_updated(issue, call))
