"""One websocket session: every frame the client receives goes through one
bounded queue, written by one task, in the order it was queued.

Queued are the events the hub routes here, the answers to the client's frames
(`ready`, `pong`, `subscribed`, `subscribed_inbox`, `ack`, `error`), heartbeat
pings and catch-up work. A client too slow to keep the queue from filling is
disconnected with close code 4008 (resume with `after`), instead of stalling
anyone else.

The order of an `ack` and its own `message.created`: a send is acknowledged
only once its message is committed and published, and publishing hands the
event to this process's connections before the send returns. So a connection
that follows the room always receives the `message.created` of its own message
before the `ack` of that send (a retried send, whose message exists already,
gets only its `ack`).

After a broker interruption (the hub's resync) every followed room catches up
from the database, and a session following the inbox gets
{"type": "inbox.resync"}: inbox events carry no sequence number, so the client
reloads its queues.
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import orjson
from fastapi import WebSocket, WebSocketDisconnect

from caseroom.domain import events
from caseroom.domain.errors import DomainError
from caseroom.domain.model import AgentPrincipal, CustomerPrincipal, Message, Principal, Room
from caseroom.domain.visibility import may_see
from caseroom.services import availability
from caseroom.services.common import actor_of
from caseroom.storage.uow import UnitOfWork
from caseroom.web.context import AppContext
from caseroom.web.problems import domain_problem
from caseroom.web.stream.calls import SessionCalls
from caseroom.web.stream.catchup import RoomCursors
from caseroom.web.stream.frames import HANDLERS, BadFrame, announce, parse_frame

CLOSE_SLOW_CONSUMER = 4008
CLOSE_SIGNED_OUT = 4401  # the code a socket without a valid credential gets


@dataclass(frozen=True, slots=True)
class _Reply:
    frame: dict[str, Any]


@dataclass(frozen=True, slots=True)
class _Subscribe:
    issue_id: str
    room: Room
    after: int | None
    ref: str | None


class _Resync:
    pass


_RESYNC = _Resync()
_PING = _Reply({"type": "ping"})
_Item = events.Event | _Reply | _Subscribe | _Resync


class StreamSession:
    # One per open socket, and a server holds thousands: no per-instance dict.
    __slots__ = (
        "_announcing", "_context", "_cursors", "_following", "_heartbeat_handle", "_inbox",
        "_overflowed", "_presence", "_principal", "_queue", "_seen_task", "_sends",
        "_to_announce", "_writer", "_ws", "calls", "connection_id",
    )  # fmt: skip

    def __init__(self, ws: WebSocket, context: AppContext, principal: Principal) -> None:
        self.connection_id = secrets.token_urlsafe(16)
        self._ws = ws
        self._context = context
        self._principal = principal
        self._queue: asyncio.Queue[_Item] = asyncio.Queue(context.settings.ws_queue_max)
        self._cursors = RoomCursors(context, principal, self._write_frame)
        self._following: set[str] = set()
        self._inbox = False
        self._overflowed = False
        self._heartbeat_handle: asyncio.TimerHandle | None = None
        self._writer: asyncio.Task[None] | None = None
        self._sends: set[asyncio.Task[None]] = set()
        # A Customer's presence per Issue they opened here, re-announced with
        # each heartbeat (a console opened later learns it) and `left` at the end.
        self._presence: dict[str, str] = {}
        self._announcing: asyncio.Task[None] | None = None
        self._seen_task: asyncio.Task[None] | None = None
        self._to_announce: dict[str, str] = {}
        self.calls = SessionCalls(context.settings)  # the calls joined here

    @property
    def principal(self) -> Principal:
        return self._principal

    @property
    def context(self) -> AppContext:
        return self._context

    # -- Listener (called by the hub; must not block) ---------------------------

    def offer(self, event: events.Event) -> None:
        # The hub chose this connection; whether it may see the event is the
        # visibility rule's call (checked here so the queue holds only what it
        # may see; the view itself is built at delivery).
        if may_see(self._principal, event.scope, connection_id=self.connection_id):
            self._enqueue(event)

    def resync(self) -> None:
        self._enqueue(_RESYNC)

    def _enqueue(self, item: _Item) -> None:
        try:
            self._queue.put_nowait(item)
        except asyncio.QueueFull:
            self._overflowed = True
            if self._writer:
                self._writer.cancel()  # ends the session (see run)

    # -- what the frame handlers use ----------------------------------------------

    def reply(self, frame: dict[str, Any]) -> None:
        self._enqueue(_Reply(frame))

    def reply_error(self, error: DomainError, ref: str | None) -> None:
        self.reply({"type": "error", "ref": ref, "problem": domain_problem(error)})

    def subscribe(self, issue_id: str, room: Room, *, after: int | None, ref: str | None) -> None:
        # Follow first, so nothing published from now on is missed.
        if issue_id not in self._following:
            self._following.add(issue_id)
            self._context.hub.follow_issue(self, issue_id)
        self._enqueue(_Subscribe(issue_id, room, after, ref))
        if room is Room.PUBLIC and isinstance(self._principal, CustomerPrincipal):
            self.set_presence(issue_id, "online")
            self._announce_soon({issue_id: "online"})
        elif room is Room.PUBLIC and isinstance(self._principal, AgentPrincipal):
            self._presence[issue_id] = "viewing"
            self._announce_soon({issue_id: "viewing"})

    def unsubscribe(self, issue_id: str) -> None:
        if isinstance(self._principal, AgentPrincipal) and self._presence.pop(issue_id, ""):
            self._announce_soon({issue_id: "left"})
        self._cursors.stop(issue_id)
        self._following.discard(issue_id)
        self._context.hub.unfollow_issue(self, issue_id)

    def set_presence(self, issue_id: str, state: str) -> None:
        if isinstance(self._principal, CustomerPrincipal):
            self._presence[issue_id] = state

    async def _announce_presence(self, states: dict[str, str]) -> None:
        for issue_id, state in states.items():
            with contextlib.suppress(DomainError):
                await announce(self._context, self._principal, issue_id, state)

    def follow_inbox(self) -> None:
        self._inbox = True
        self._context.hub.follow_inbox(self)

    @property
    def sends_in_flight(self) -> int:
        return len(self._sends)

    def start_send(self, ref: str | None, sending: Callable[[], Awaitable[Message]]) -> None:
        """Run a send beside the reader; its `ack` (or `error`) is queued when it ends."""
        task = asyncio.create_task(self._finish_send(ref, sending))
        self._sends.add(task)
        task.add_done_callback(self._sends.discard)

    async def _finish_send(
        self, ref: str | None, sending: Callable[[], Awaitable[Message]]
    ) -> None:
        try:
            message = await sending()
        except DomainError as error:
            self.reply_error(error, ref)
            return
        # Acknowledged only now: the message is committed.
        self.reply({"type": "ack", "ref": ref, "message": events.message_payload(message)})

    # -- lifecycle ---------------------------------------------------------------

    async def run(self) -> None:
        hub = self._context.hub
        self.reply({"type": "ready", "principal": _who(self._principal)})
        await hub.join(self)
        self._mark_seen()
        # Two tasks and a timer per connection: thousands of idle sockets stay cheap.
        reader = asyncio.create_task(self._read())
        self._writer = asyncio.create_task(self._write())
        self._heartbeat_handle = asyncio.get_running_loop().call_later(
            self._context.settings.ws_heartbeat_seconds, self._heartbeat
        )
        tasks = [reader, self._writer]
        try:
            if not self._overflowed:
                await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        finally:
            if self._heartbeat_handle:
                self._heartbeat_handle.cancel()
            others = [t for t in (self._announcing, self._seen_task) if t is not None]
            for task in [*tasks, *self._sends, *others]:
                task.cancel()
            await asyncio.gather(*tasks, *self._sends, *others, return_exceptions=True)
            await hub.leave(self)
            self._context.frames.forget(self.connection_id)
            with contextlib.suppress(Exception):
                await asyncio.shield(self.calls.leave_all(self))
            if self._presence:
                left = dict.fromkeys(self._presence, "left")
                with contextlib.suppress(Exception):
                    await asyncio.shield(self._announce_presence(left))
        if self._overflowed:
            with contextlib.suppress(Exception):
                await self._ws.close(
                    CLOSE_SLOW_CONSUMER, "too slow: reconnect and subscribe with after=<last seq>"
                )

    def _mark_seen(self) -> None:
        """An agent's console is here: the widget shows the desk online."""
        if not isinstance(self._principal, AgentPrincipal):
            return
        if self._seen_task is not None and not self._seen_task.done():
            return
        principal, db = self._principal, self._context.db

        async def mark() -> None:
            async def work(uow: UnitOfWork) -> None:
                await availability.agent_seen(principal, uow)

            with contextlib.suppress(Exception):
                # Grouped: every console marks its agent at each heartbeat, and
                # those that fall due together share a transaction with whatever
                # else is being stored.
                await db.run_grouped(work, key=principal.agent.id)

        self._seen_task = asyncio.create_task(mark())

    def _announce_soon(self, states: dict[str, str]) -> None:
        """Announce beside the reader, one announcement at a time, latest state wins."""
        self._to_announce.update(states)
        if self._announcing is None or self._announcing.done():
            self._announcing = asyncio.create_task(self._drain_presence())

    async def _drain_presence(self) -> None:
        while self._to_announce:
            states, self._to_announce = self._to_announce, {}
            await self._announce_presence(states)

    def _heartbeat(self) -> None:
        self._enqueue(_PING)
        self._mark_seen()
        if self._presence:
            self._announce_soon(dict(self._presence))
        self._heartbeat_handle = asyncio.get_running_loop().call_later(
            self._context.settings.ws_heartbeat_seconds, self._heartbeat
        )

    # -- reading client frames ----------------------------------------------------

    async def _read(self) -> None:
        with contextlib.suppress(WebSocketDisconnect):
            while True:
                raw = await self._ws.receive_text()
                gate = self._context.frames
                oversized = gate.oversized(raw)
                if oversized is not None:
                    self.reply_error(oversized, None)
                    continue
                try:
                    frame = parse_frame(raw)
                except BadFrame as error:
                    self.reply_error(error, error.ref)
                    continue
                too_many = gate.too_many(self.connection_id)
                if too_many is not None:
                    self.reply_error(too_many, frame.ref)  # a send may be retried with its key
                    continue
                try:
                    await HANDLERS[type(frame)](self, frame)
                except DomainError as error:
                    self.reply_error(error, frame.ref)

    # -- writing, in order ----------------------------------------------------------

    async def _write(self) -> None:
        while True:
            item = await self._queue.get()
            if isinstance(item, _Reply):
                await self._write_frame(item.frame)
            elif isinstance(item, _Resync):
                await self._cursors.catch_up_all()
                if self._inbox:
                    # Inbox events have no sequence to resume from: tell the
                    # client that some may be missing so it reloads its queues.
                    await self._write_frame({"type": "inbox.resync"})
            elif isinstance(item, _Subscribe):
                await self._subscribe(item)
            else:
                view = events.view_for(self._principal, item, connection_id=self.connection_id)
                if view is not None:
                    await self._cursors.deliver(item, view)
                    if item.type == events.SESSION_ENDED:
                        # Signed out (deactivated, new password): the credential
                        # this socket stands on is gone, so the socket goes too.
                        await self._ws.close(CLOSE_SIGNED_OUT, "signed out")
                        return

    async def _subscribe(self, item: _Subscribe) -> None:
        try:
            last_seq, issue = await self._cursors.start(item.issue_id, item.room, item.after)
        except DomainError as error:
            await self._write_frame(
                {"type": "error", "ref": item.ref, "problem": domain_problem(error)}
            )
            return
        await self._write_frame(
            {
                "type": "subscribed",
                "ref": item.ref,
                "issue_id": item.issue_id,
                "room": item.room.value,
                "last_seq": last_seq,
                # Changes before this point are not replayed as events: the status is.
                "issue_status": issue.status.value,
            }
        )

    async def _write_frame(self, frame: dict[str, Any]) -> None:
        await self._ws.send_text(orjson.dumps(frame).decode())


def _who(principal: Principal) -> dict[str, Any]:
    kind, actor_id, name = actor_of(principal)
    return {"kind": kind.value, "id": actor_id, "name": name, "org_id": principal.org_id}
