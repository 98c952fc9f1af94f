"""Video call frames on the event stream (docs/video.md).

`call.start` (agents), `call.accept`, `call.decline` and `call.leave` change the
durable call; `call.signal` carries an offer, answer or ICE candidate to one
other participant's connection, published at once and never stored. Signaling
frames are bounded in size (the models) and in rate (a token bucket per
socket). A socket that closes leaves the calls it joined."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Coroutine
from datetime import timedelta
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from caseroom.config import Settings
from caseroom.domain.call_events import call_payload
from caseroom.domain.errors import DomainError, LimitReached
from caseroom.domain.model import Room
from caseroom.services import calls
from caseroom.services.common import utcnow
from caseroom.storage.uow import UnitOfWork

if TYPE_CHECKING:
    from caseroom.web.context import AppContext
    from caseroom.web.stream.session import StreamSession

CallId = Annotated[str, Field(min_length=1, max_length=32)]
_Ref = Annotated[str | None, Field(default=None, max_length=128)]


class _CallFrame(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    ref: _Ref = None


class CallStart(_CallFrame):
    type: Literal["call.start"]
    issue_id: Annotated[str, Field(max_length=32)]
    room: Room


class CallAccept(_CallFrame):
    type: Literal["call.accept"]
    call_id: CallId


class CallDecline(_CallFrame):
    type: Literal["call.decline"]
    call_id: CallId


class CallLeave(_CallFrame):
    type: Literal["call.leave"]
    call_id: CallId
    failed: bool = False  # the media never connected


class Candidate(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    candidate: str = Field(max_length=1024)
    sdpMid: str | None = Field(default=None, max_length=64)  # the browser's names
    sdpMLineIndex: int | None = Field(default=None, ge=0, le=64)
    usernameFragment: str | None = Field(default=None, max_length=256)


class Signal(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    kind: Literal["offer", "answer", "candidate"]
    sdp: str | None = Field(default=None, max_length=64_000)
    candidate: Candidate | None = None


class CallSignal(_CallFrame):
    type: Literal["call.signal"]
    call_id: CallId
    to: Annotated[str, Field(min_length=1, max_length=64)]
    signal: Signal


class TokenBucket:
    """`rate` tokens a second up to `burst`; each signaling frame takes one."""

    __slots__ = ("_at", "_burst", "_rate", "_tokens")  # one per socket

    def __init__(self, rate: float, burst: int) -> None:
        self._rate, self._burst = rate, float(burst)
        self._tokens, self._at = float(burst), time.monotonic()

    def take(self) -> bool:
        now = time.monotonic()
        self._tokens = min(self._burst, self._tokens + (now - self._at) * self._rate)
        self._at = now
        if self._tokens < 1:
            return False
        self._tokens -= 1
        return True


def limits_of(settings: Settings) -> calls.CallLimits:
    return calls.CallLimits(
        ring_for=timedelta(seconds=settings.call_ring_seconds),
        max_participants=settings.call_max_participants,
        credential_ttl=timedelta(seconds=settings.call_turn_credential_seconds),
    )


class SessionCalls:
    """The calls one socket takes part in, and its signaling budget."""

    __slots__ = ("joined", "signals", "timers")  # one per socket

    def __init__(self, settings: Settings) -> None:
        self.joined: set[str] = set()
        self.signals = TokenBucket(settings.ws_signals_per_second, settings.ws_signal_burst)
        self.timers: set[asyncio.Task[None]] = set()

    async def leave_all(self, session: StreamSession) -> None:
        """The socket closed: each call it was in gives the page a while to rejoin
        from a new socket (a job, and a timer here), then lets this one go."""
        for task in self.timers:
            task.cancel()
        grace = timedelta(seconds=session.context.settings.call_rejoin_grace_seconds)
        org_id, connection_id = session.principal.org_id, session.connection_id
        now = utcnow()
        for call_id in list(self.joined):

            async def schedule(uow: UnitOfWork, call_id: str = call_id) -> None:
                await calls.schedule_dropped(
                    uow, org_id, call_id, connection_id, now=now, at=now + grace
                )

            await session.context.db.run(schedule)
            _later(_leave_dropped_later(session.context, org_id, call_id, connection_id, grace))
        self.joined.clear()


# Timers that outlive the socket that set them (a dropped participant's grace).
_PENDING: set[asyncio.Task[None]] = set()


def _later(coroutine: Coroutine[Any, Any, None]) -> None:
    task = asyncio.get_running_loop().create_task(coroutine)
    _PENDING.add(task)
    task.add_done_callback(_PENDING.discard)


async def _leave_dropped_later(
    context: AppContext, org_id: str, call_id: str, connection_id: str, after: timedelta
) -> None:
    await asyncio.sleep(after.total_seconds())

    async def work(uow: UnitOfWork) -> None:
        await calls.leave_dropped(uow, org_id, call_id, connection_id, utcnow())

    with contextlib.suppress(DomainError):
        await context.db.run(work)


def _joined_frame(
    kind: str, ref: str | None, session: StreamSession, joined: calls.Joined
) -> dict[str, Any]:
    return {
        "type": kind,
        "ref": ref,
        "connection_id": session.connection_id,
        "call": call_payload(joined.call),
        "ice_servers": joined.ice_servers,
    }


async def _start(session: StreamSession, frame: CallStart) -> None:
    context, limits = session.context, limits_of(session.context.settings)

    async def work(uow: UnitOfWork) -> calls.Joined:
        return await calls.start_call(
            session.principal, uow, frame.issue_id, frame.room, session.connection_id, limits
        )

    joined = await context.db.run(work)
    session.calls.joined.add(joined.call.id)
    session.reply(_joined_frame("call.started", frame.ref, session, joined))
    # The ringing timeout, here at once; the durable job covers a process that is gone.
    timer = asyncio.create_task(_ring_out_later(session, joined.call.id, limits.ring_for))
    session.calls.timers.add(timer)
    timer.add_done_callback(session.calls.timers.discard)


async def _ring_out_later(session: StreamSession, call_id: str, after: timedelta) -> None:
    await asyncio.sleep(after.total_seconds())
    org_id = session.principal.org_id

    async def work(uow: UnitOfWork) -> None:
        await calls.ring_out(uow, org_id, call_id, utcnow())

    with contextlib.suppress(DomainError):
        await session.context.db.run(work)


async def _accept(session: StreamSession, frame: CallAccept) -> None:
    limits = limits_of(session.context.settings)

    async def work(uow: UnitOfWork) -> calls.Joined:
        return await calls.join_call(
            session.principal, uow, frame.call_id, session.connection_id, limits
        )

    joined = await session.context.db.run(work)
    session.calls.joined.add(joined.call.id)
    session.reply(_joined_frame("call.joined", frame.ref, session, joined))


async def _decline(session: StreamSession, frame: CallDecline) -> None:
    async def work(uow: UnitOfWork) -> None:
        await calls.decline_call(session.principal, uow, frame.call_id)

    await session.context.db.run(work)
    session.reply({"type": "call.declined", "ref": frame.ref, "call_id": frame.call_id})


async def _leave(session: StreamSession, call_id: str, *, failed: bool) -> None:
    async def work(uow: UnitOfWork) -> None:
        connection = session.connection_id
        await calls.leave_call(session.principal, uow, call_id, connection, failed=failed)

    session.calls.joined.discard(call_id)
    await session.context.db.run(work)


async def _hang_up(session: StreamSession, frame: CallLeave) -> None:
    await _leave(session, frame.call_id, failed=frame.failed)
    session.reply({"type": "call.left", "ref": frame.ref, "call_id": frame.call_id})


async def _signal(session: StreamSession, frame: CallSignal) -> None:
    if not session.calls.signals.take():
        limit = session.context.settings.ws_signals_per_second
        raise LimitReached(f"too many signaling frames: at most {limit:g} a second", limit=limit)
    data = frame.signal.model_dump(exclude_none=True)

    async def work(uow: UnitOfWork) -> None:
        await calls.send_signal(
            session.principal,
            uow,
            frame.call_id,
            sender=session.connection_id,
            to=frame.to,
            data=data,
        )

    await session.context.db.announce(work)  # published at once, nothing stored


CALL_FRAMES = CallStart | CallAccept | CallDecline | CallLeave | CallSignal

CALL_HANDLERS: dict[type[BaseModel], Any] = {
    CallStart: _start,
    CallAccept: _accept,
    CallDecline: _decline,
    CallLeave: _hang_up,
    CallSignal: _signal,
}
