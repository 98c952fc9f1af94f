"""The websocket event stream.

One session per socket. Everything that must stay in order (events from the hub,
subscriptions, catch-up after a resync) goes through one bounded queue consumed
by one writer; a consumer too slow to keep it from filling is disconnected with
a close code that tells it to resume, instead of stalling anyone else.

Resume: the session remembers, per (Issue, room), the last sequence number it
delivered. An event with the next number is sent as is; an older one is dropped
(already sent); a newer one means something is missing, so the session reads
the gap from the database first. Subscribing with `after` is the same catch-up,
so replay and live meet with no gap and no duplicate. When the broker was
interrupted (the hub's resync), every followed room catches up the same way, and
a session following the inbox gets {"type": "inbox.resync"}: inbox events carry
no sequence number, so the client reloads its queues.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import orjson
from fastapi import APIRouter, WebSocket, WebSocketDisconnect
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from caseroom.domain import events
from caseroom.domain.errors import (
    DomainError,
    Forbidden,
    InvalidInput,
    LimitReached,
    NotAuthenticated,
    NotFound,
)
from caseroom.domain.model import AgentPrincipal, Channel, Issue, MessageKind, Principal, Room
from caseroom.domain.records import Page
from caseroom.domain.visibility import can_see_room, may_see
from caseroom.realtime.hub import INBOX_EVENTS
from caseroom.services import issues, messages
from caseroom.services.common import actor_of
from caseroom.storage.uow import UnitOfWork
from caseroom.web.context import AppContext, get_context
from caseroom.web.deps import SESSION_COOKIE, bearer_token, resolve_principal
from caseroom.web.problems import domain_problem

log = logging.getLogger(__name__)
router = APIRouter()

CLOSE_SLOW_CONSUMER = 4008
CLOSE_UNAUTHENTICATED = 4401
CLOSE_ORIGIN = 4403


class _Frame(BaseModel):
    model_config = ConfigDict(extra="forbid")
    type: str
    ref: str | None = Field(default=None, max_length=128)
    token: str | None = Field(default=None, max_length=200)
    issue_id: str | None = Field(default=None, max_length=32)
    room: Room | None = None
    after: int | None = Field(default=None, ge=0)
    body: str | None = None
    kind: MessageKind = MessageKind.MESSAGE
    channel: Channel | None = None
    idempotency_key: str | None = Field(default=None, min_length=8, max_length=128)


@dataclass(frozen=True, slots=True)
class _Subscribe:
    issue_id: str
    room: Room
    after: int | None
    ref: str | None


class _Resync:
    pass


class _Ping:
    pass


_RESYNC, _PING = _Resync(), _Ping()
_Item = events.Event | _Subscribe | _Resync | _Ping


class StreamSession:
    def __init__(self, ws: WebSocket, context: AppContext, principal: Principal) -> None:
        self._ws = ws
        self._context = context
        self._principal = principal
        self._queue: asyncio.Queue[_Item] = asyncio.Queue(context.settings.ws_queue_max)
        self._last: dict[tuple[str, Room], int] = {}  # delivered up to, per room
        self._issues: dict[str, Issue] = {}
        self._following: set[str] = set()
        self._inbox = False
        self._overflowed = False
        self._heartbeat_handle: asyncio.TimerHandle | None = None
        self._writer: asyncio.Task[None] | None = None
        self._sends: set[asyncio.Task[None]] = set()

    @property
    def principal(self) -> Principal:
        return self._principal

    # -- Listener (called by the hub; must not block) ---------------------------

    def offer(self, event: events.Event) -> None:
        wanted = (
            event.issue_id in self._following
            or (self._inbox and event.type in INBOX_EVENTS)
            or event.scope.agent_id is not None  # addressed: view_for checks it is us
        )
        if wanted and may_see(self._principal, event.scope):  # the view is built at delivery
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

    # -- lifecycle ---------------------------------------------------------------

    async def run(self) -> None:
        hub = self._context.hub
        await hub.join(self)
        await self._send({"type": "ready", "principal": _who(self._principal)})
        # Two tasks and a timer per connection: thousands of idle sockets stay cheap.
        reader = asyncio.create_task(self._read())
        self._writer = asyncio.create_task(self._write())
        self._heartbeat_handle = asyncio.get_running_loop().call_later(
            self._context.settings.ws_heartbeat_seconds, self._heartbeat
        )
        tasks = [reader, self._writer]
        try:
            await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        finally:
            if self._heartbeat_handle:
                self._heartbeat_handle.cancel()
            for task in [*tasks, *self._sends]:
                task.cancel()
            await asyncio.gather(*tasks, *self._sends, return_exceptions=True)
            await hub.leave(self)
        if self._overflowed:
            with contextlib.suppress(Exception):
                await self._ws.close(
                    CLOSE_SLOW_CONSUMER, "too slow: reconnect and subscribe with after=<last seq>"
                )

    def _heartbeat(self) -> None:
        self._enqueue(_PING)
        self._heartbeat_handle = asyncio.get_running_loop().call_later(
            self._context.settings.ws_heartbeat_seconds, self._heartbeat
        )

    async def _send(self, frame: dict[str, Any]) -> None:
        await self._ws.send_text(orjson.dumps(frame).decode())

    async def _error(self, error: DomainError, ref: str | None) -> None:
        problem = domain_problem(error)
        await self._send({"type": "error", "ref": ref, "problem": problem})

    # -- reading client frames ----------------------------------------------------

    async def _read(self) -> None:
        with contextlib.suppress(WebSocketDisconnect):
            while True:
                raw = await self._ws.receive_text()
                try:
                    frame = _Frame.model_validate_json(raw)
                except ValidationError as error:
                    first = error.errors()[0]
                    await self._error(InvalidInput(f"bad frame: {first['msg']}"), None)
                    continue
                try:
                    await self._handle(frame)
                except DomainError as error:
                    await self._error(error, frame.ref)

    async def _handle(self, frame: _Frame) -> None:
        if frame.type == "ping":
            await self._send({"type": "pong", "ref": frame.ref})
        elif frame.type == "subscribe":
            if not frame.issue_id or frame.room is None:
                raise InvalidInput("subscribe needs issue_id and room")
            # Follow first, so nothing published from now on is missed.
            self._follow(frame.issue_id)
            self._enqueue(_Subscribe(frame.issue_id, frame.room, frame.after, frame.ref))
        elif frame.type == "unsubscribe":
            for key in [k for k in self._last if k[0] == frame.issue_id]:
                del self._last[key]
            self._following.discard(frame.issue_id or "")
            self._context.hub.unfollow_issue(self, frame.issue_id or "")
        elif frame.type == "subscribe_inbox":
            if not isinstance(self._principal, AgentPrincipal):
                raise Forbidden("only agents have an inbox")
            self._inbox = True
            self._context.hub.follow_inbox(self)
            await self._send({"type": "subscribed_inbox", "ref": frame.ref})
        elif frame.type == "send":
            limit = self._context.settings.ws_max_sends_in_flight
            if len(self._sends) >= limit:
                raise LimitReached(
                    f"{limit} sends are already waiting for their ack; retry this one later "
                    "with the same idempotency_key",
                    limit=limit,
                )
            task = asyncio.create_task(self._send_message(frame))
            self._sends.add(task)
            task.add_done_callback(self._sends.discard)
        elif frame.type == "typing":
            await self._typing(frame)
        else:
            raise InvalidInput(f"unknown frame type {frame.type!r}")

    def _follow(self, issue_id: str) -> None:
        if issue_id not in self._following:
            self._following.add(issue_id)
            self._context.hub.follow_issue(self, issue_id)

    async def _send_message(self, frame: _Frame) -> None:
        if not (frame.issue_id and frame.room and frame.body is not None):
            await self._error(InvalidInput("send needs issue_id, room and body"), frame.ref)
            return
        if not frame.idempotency_key:
            await self._error(InvalidInput("send needs an idempotency_key"), frame.ref)
            return
        new = messages.NewMessage(
            frame.room, frame.body, frame.kind, frame.channel, frame.idempotency_key
        )
        try:
            sent = await self._context.sender.post(self._principal, frame.issue_id, new)
        except DomainError as error:
            await self._error(error, frame.ref)
            return
        # Acknowledged only now: the message is committed.
        payload = events.message_payload(sent.message)
        await self._send({"type": "ack", "ref": frame.ref, "message": payload})

    async def _typing(self, frame: _Frame) -> None:
        if not frame.issue_id or frame.room is None:
            raise InvalidInput("typing needs issue_id and room")
        issue_id, room = frame.issue_id, frame.room

        async def work(uow: UnitOfWork) -> None:
            await messages.announce_typing(self._principal, uow, issue_id, room)

        await self._context.db.announce(work)

    # -- writing, in order ----------------------------------------------------------

    async def _write(self) -> None:
        while True:
            item = await self._queue.get()
            if isinstance(item, _Ping):
                await self._send({"type": "ping"})
            elif isinstance(item, _Resync):
                for issue_id, room in list(self._last):
                    await self._catch_up(issue_id, room, upto=None)
                if self._inbox:
                    # Inbox events have no sequence to resume from: tell the
                    # client that some may be missing so it reloads its queues.
                    await self._send({"type": "inbox.resync"})
            elif isinstance(item, _Subscribe):
                await self._subscribe(item)
            else:
                await self._deliver(item)

    async def _subscribe(self, item: _Subscribe) -> None:
        try:
            issue = await self._load_issue(item.issue_id)
            if not can_see_room(self._principal, issue, item.room):
                raise NotFound("no such room")
            last = issue.last_seq(item.room)
            after = last if item.after is None else item.after
            if after > last:
                raise InvalidInput(
                    f"after={after} is beyond the room's last sequence number {last}",
                    last_seq=last,
                )
        except DomainError as error:
            await self._error(error, item.ref)
            return
        self._last[(item.issue_id, item.room)] = after
        await self._catch_up(item.issue_id, item.room, upto=None)
        last_seq = self._last[(item.issue_id, item.room)]
        await self._send(
            {
                "type": "subscribed",
                "ref": item.ref,
                "issue_id": item.issue_id,
                "room": item.room.value,
                "last_seq": last_seq,
            }
        )

    async def _deliver(self, event: events.Event) -> None:
        view = events.view_for(self._principal, event)
        if view is None:
            return
        if event.type.startswith("issue."):
            self._issues.pop(event.issue_id, None)  # refreshed on next catch-up
        if event.room is None or event.seq is None:
            await self._send(view)
            return
        key = (event.issue_id, event.room)
        last = self._last.get(key)
        if last is None or event.seq <= last:
            return
        if event.seq == last + 1:
            self._last[key] = event.seq
            await self._send(view)
        else:
            await self._catch_up(event.issue_id, event.room, upto=event.seq)

    async def _catch_up(self, issue_id: str, room: Room, *, upto: int | None) -> None:
        """Send what the database holds after the last delivered number (up to
        `upto` if given), in order, as the same events live delivery sends."""
        key = (issue_id, room)
        batch = self._context.settings.ws_replay_batch
        while key in self._last:
            after = self._last[key]

            async def work(uow: UnitOfWork, after: int = after) -> Page:
                return await messages.list_messages(
                    self._principal, uow, issue_id, room, after=after, before=None, limit=batch
                )

            try:
                page = await self._context.db.read(work)
                issue = await self._load_issue(issue_id)
            except DomainError:
                self._last.pop(key, None)  # access lost: stop following this room
                return
            for message in page.messages:
                if upto is not None and message.seq > upto:
                    break
                view = events.view_for(self._principal, events.message_created(issue, message))
                if view is not None:
                    await self._send(view)
                self._last[key] = message.seq
            if upto is not None:
                self._last[key] = max(self._last[key], upto)
            if not page.has_more or (upto is not None and self._last[key] >= upto):
                return

    async def _load_issue(self, issue_id: str) -> Issue:
        issue = self._issues.get(issue_id)
        if issue is None:

            async def work(uow: UnitOfWork) -> Issue:
                return await issues.get_issue(self._principal, uow, issue_id)

            issue = await self._context.db.read(work)
            self._issues[issue_id] = issue
        return issue


def _who(principal: Principal) -> dict[str, Any]:
    kind, actor_id, name = actor_of(principal)
    return {"kind": kind.value, "id": actor_id, "name": name, "org_id": principal.org_id}


def _same_origin(ws: WebSocket) -> bool:
    origin = ws.headers.get("origin")
    if origin is None:
        return True  # not a browser: cookies are not ambient authority there
    return urlsplit(origin).netloc == ws.headers.get("host", "")


async def _authenticate(ws: WebSocket, context: AppContext) -> Principal:
    token = bearer_token(ws)
    if token is None and (cookie := ws.cookies.get(SESSION_COOKIE)):
        if not _same_origin(ws):
            raise NotAuthenticated("cross-origin socket with a session cookie")
        token = cookie
    if token is None:
        raw = await asyncio.wait_for(ws.receive_text(), timeout=10)
        try:
            hello = _Frame.model_validate_json(raw)
        except ValidationError as error:
            raise NotAuthenticated("the first frame must be a hello with a token") from error
        if hello.type != "hello" or not hello.token:
            raise NotAuthenticated("the first frame must be a hello with a token")
        token = hello.token
    return await resolve_principal(context, token)


@router.websocket("/api/v1/stream")
async def stream(ws: WebSocket) -> None:
    context = get_context(ws)
    await ws.accept()
    try:
        principal = await _authenticate(ws, context)
    except (DomainError, TimeoutError, WebSocketDisconnect) as error:
        reason = error.detail if isinstance(error, DomainError) else "no hello"
        with contextlib.suppress(Exception):
            await ws.close(CLOSE_UNAUTHENTICATED, reason[:120])
        return
    await StreamSession(ws, context, principal).run()
