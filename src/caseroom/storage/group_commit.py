"""Group commit: units of work that arrive together share one transaction.

Under load, many messages are waiting to be stored at the same moment. Each one
in its own transaction pays for BEGIN, COMMIT (a write to the log, and on
PostgreSQL a flush to disk), a connection and, on SQLite, a turn at the write
lock. Here the works queued while the previous group was being stored run one
after the other in a single transaction; each caller is answered only after
that transaction has committed and its events are published, so "durable before
acknowledged" holds for every one of them. Order within a group is arrival
order, so per-room sequence numbers stay gapless and in order.

On PostgreSQL several groups are stored at once, one per lane (works are spread
over lanes by the Issue they lock), each on its own connection, so that one
group's round trips to the server do not hold up the others. On SQLite, which
has one writer, there is one lane.

Under steady load a lane lingers: when a group was stored less than `linger`
seconds ago, the next one waits that long before it closes, so that the works
arriving meanwhile join it (PostgreSQL's `commit_delay` makes the same trade).
A work that arrives after a quiet spell is stored at once.

A work that fails takes nobody down with it: the group is rolled back, the works
before and after it go back to the front of the queue, and the failing one is
run alone (with the usual retries), so its caller gets its own answer.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.exc import DBAPIError

# A work takes the transaction's unit of work; group commit never looks inside.
Work = Callable[[Any], Awaitable[Any]]
# Run works in order in one transaction and commit it (WorkFailed if one raises).
StoreGroup = Callable[[list[Work]], Awaitable[list[Any]]]
# Run one work in its own transaction, with the usual retries.
StoreOne = Callable[[Work], Awaitable[Any]]


@dataclass(slots=True)
class _Pending:
    work: Work
    answer: asyncio.Future[Any]
    key: str


@dataclass(slots=True)
class _Lane:
    queue: deque[_Pending] = field(default_factory=deque)
    storing: asyncio.Task[None] | None = None


class WorkFailed(Exception):
    """The work at `index` of a group raised (its error is the cause)."""

    def __init__(self, index: int) -> None:
        super().__init__(index)
        self.index = index


class GroupCommit:
    def __init__(
        self,
        store_group: StoreGroup,
        store_one: StoreOne,
        max_group: int,
        lanes: int = 1,
        observe_size: Callable[[int], None] | None = None,
        linger: float = 0.0,
    ) -> None:
        self._linger = linger
        self._last_stored = float("-inf")  # the loop's time when a group last ended
        self._observe_size = observe_size  # each group's size, for /metrics
        self._store_group = store_group
        self._store_one = store_one
        self._max_group = max_group
        # One queue and at most one group in flight per lane.
        self._lanes: list[_Lane] = [_Lane() for _ in range(max(1, lanes))]

    async def run(self, work: Work, key: str) -> Any:
        """Store `work` in the next group of its lane; return its result once that
        group has committed. `key` names the row the work locks (its Issue).
        Cancelling the caller before its group starts withdraws the work."""
        answer = asyncio.get_running_loop().create_future()
        lane = self._lanes[hash(key) % len(self._lanes)]
        lane.queue.append(_Pending(work, answer, key))
        if lane.storing is None:
            # The task belongs to no caller: a caller that goes away cannot
            # cancel a group that others are waiting for.
            lane.storing = asyncio.create_task(self._drain(lane), name="group-commit")
        return await answer

    async def _drain(self, lane: _Lane) -> None:
        try:
            while lane.queue:
                # One turn of the loop: works sent in the same burst join this
                # group; under steady load, those of the next moments too.
                loop = asyncio.get_running_loop()
                busy = loop.time() - self._last_stored < self._linger
                await asyncio.sleep(self._linger if busy else 0)
                group: list[_Pending] = []
                while lane.queue and len(group) < self._max_group:
                    pending = lane.queue.popleft()
                    if not pending.answer.done():  # not withdrawn
                        group.append(pending)
                # Every transaction takes its row locks in key order (stable, so a
                # room keeps arrival order): concurrent groups, in this process or
                # another, may wait for each other but never deadlock.
                group.sort(key=lambda p: p.key)
                if group:
                    if self._observe_size:
                        self._observe_size(len(group))
                    await self._store(lane, group)
                    self._last_stored = loop.time()
        finally:
            lane.storing = None

    async def _store(self, lane: _Lane, group: list[_Pending]) -> None:
        try:
            results = await self._store_group([p.work for p in group])
        except WorkFailed as failed:
            # Others go back first in line; the failing one gets its own answer.
            lane.queue.extendleft(reversed(group[failed.index + 1 :]))
            lane.queue.extendleft(reversed(group[: failed.index]))
            await self._alone(group[failed.index])
            return
        except DBAPIError:
            # The group itself conflicted (a busy database, a deadlock with
            # another process): every work is retried on its own.
            for pending in group:
                await self._alone(pending)
            return
        except Exception as error:
            for pending in group:
                if not pending.answer.done():
                    pending.answer.set_exception(error)
            return
        for pending, result in zip(group, results, strict=True):
            if not pending.answer.done():
                pending.answer.set_result(result)

    async def _alone(self, pending: _Pending) -> None:
        try:
            result = await self._store_one(pending.work)
        except Exception as error:
            if not pending.answer.done():
                pending.answer.set_exception(error)
        else:
            if not pending.answer.done():
                pending.answer.set_result(result)
