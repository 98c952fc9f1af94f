"""Resume and catch-up: where a connection is in each room it follows, and
reading what it missed from the database.

Per (Issue, room) the connection remembers the last sequence number it was
sent. A live event with the next number is sent as is; an older one is dropped
(already sent); a newer one means something is missing, so the gap is read from
the database first. Subscribing with `after` is the same catch-up, so replay and
live meet with no gap and no duplicate.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from caseroom.domain import events
from caseroom.domain.errors import DomainError, InvalidInput, NotFound
from caseroom.domain.model import Issue, Principal, Room
from caseroom.domain.records import Page
from caseroom.domain.visibility import can_see_room
from caseroom.services import issues, messages
from caseroom.storage.uow import UnitOfWork
from caseroom.web.context import AppContext

Write = Callable[[dict[str, Any]], Awaitable[None]]


class RoomCursors:
    """Used by the session's writer only, so it needs no locking."""

    __slots__ = ("_context", "_issues", "_last", "_principal", "_write")  # one per socket

    def __init__(self, context: AppContext, principal: Principal, write: Write) -> None:
        self._context = context
        self._principal = principal
        self._write = write
        self._last: dict[tuple[str, Room], int] = {}  # sent up to, per room
        self._issues: dict[str, Issue] = {}

    async def start(self, issue_id: str, room: Room, after: int | None) -> tuple[int, Issue]:
        """Start following a room after `after` (default: its latest message),
        sending what it holds beyond that; returns the last number sent and the
        Issue as it was then (its status may have moved before the connection
        followed it). Raises DomainError when the room cannot be followed."""
        issue = await self._load_issue(issue_id)
        if not can_see_room(self._principal, issue, room):
            raise NotFound("no such room")
        last = issue.last_seq(room)
        after = last if after is None else after
        if after > last:
            raise InvalidInput(
                f"after={after} is beyond the room's last sequence number {last}", last_seq=last
            )
        key = (issue_id, room)
        self._last[key] = after
        await self._catch_up(issue_id, room, upto=None)
        return self._last.get(key, after), issue

    def stop(self, issue_id: str) -> None:
        for key in [k for k in self._last if k[0] == issue_id]:
            del self._last[key]

    async def catch_up_all(self) -> None:
        """After a broker interruption: read every followed room's gap."""
        for issue_id, room in list(self._last):
            await self._catch_up(issue_id, room, upto=None)

    async def deliver(self, event: events.Event, view: dict[str, Any]) -> None:
        """Send a live event's view in sequence, reading a gap first if there is one."""
        if event.type.startswith("issue."):
            self._issues.pop(event.issue_id, None)  # refreshed on next catch-up
        if event.room is None or event.seq is None:
            await self._write(view)
            return
        key = (event.issue_id, event.room)
        last = self._last.get(key)
        if last is None or event.seq <= last:
            return
        if event.seq == last + 1:
            self._last[key] = event.seq
            await self._write(view)
        else:
            await self._catch_up(event.issue_id, event.room, upto=event.seq)

    async def _catch_up(self, issue_id: str, room: Room, *, upto: int | None) -> None:
        """Send what the database holds after the last number sent (up to `upto`
        if given), in order, as the same events live delivery sends."""
        key = (issue_id, room)
        batch = self._context.settings.ws_replay_batch
        while key in self._last:
            after = self._last[key]
            try:
                page = await self._read_page(issue_id, room, after, batch)
                issue = await self._load_issue(issue_id)
            except DomainError:
                self._last.pop(key, None)  # access lost: stop following this room
                return
            for message in page.messages:
                if upto is not None and message.seq > upto:
                    break
                view = events.view_for(self._principal, events.message_created(issue, message))
                if view is not None:
                    await self._write(view)
                self._last[key] = message.seq
            if upto is not None:
                self._last[key] = max(self._last[key], upto)
            if not page.has_more or (upto is not None and self._last[key] >= upto):
                return

    async def _read_page(self, issue_id: str, room: Room, after: int, limit: int) -> Page:
        async def work(uow: UnitOfWork) -> Page:
            return await messages.list_messages(
                self._principal, uow, issue_id, room, after=after, before=None, limit=limit
            )

        return await self._context.db.read(work)

    async def _load_issue(self, issue_id: str) -> Issue:
        issue = self._issues.get(issue_id)
        if issue is None:

            async def work(uow: UnitOfWork) -> Issue:
                return await issues.get_issue(self._principal, uow, issue_id)

            issue = await self._context.db.read(work)
            self._issues[issue_id] = issue
        return issue
