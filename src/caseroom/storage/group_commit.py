"""Group commit: units of work that arrive together share one transaction.

Under load, many messages are waiting to be stored at the same moment. Each one
in its own transaction pays for BEGIN, COMMIT (a write to the log, and on
PostgreSQL a flush to disk), a connection and, on SQLite, a turn at the write
lock. Here the works queued while the previous group was being stored run one
after the other in a single transaction; each caller is answered only after
that transaction has committed and its events are published, so "durable before
acknowledged" holds for every one of them. Order within a group is arrival
order, so per-room sequence numbers stay gapless and in order.

A work that fails takes nobody down with it: the group is rolled back, the works
before and after it go back to the front of the queue, and the failing one is
run alone (with the usual retries), so its caller gets its own answer.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy.exc import DBAPIError

if TYPE_CHECKING:
    from caseroom.storage.uow import Database, UnitOfWork

Work = Callable[["UnitOfWork"], Awaitable[Any]]


@dataclass(slots=True)
class _Pending:
    work: Work
    answer: asyncio.Future[Any]


class WorkFailed(Exception):
    """The work at `index` of a group raised (its error is the cause)."""

    def __init__(self, index: int) -> None:
        super().__init__(index)
        self.index = index


class GroupCommit:
    def __init__(self, database: Database, max_group: int) -> None:
        self._database = database
        self._max_group = max_group
        self._queue: deque[_Pending] = deque()
        self._runner: asyncio.Task[None] | None = None

    async def run(self, work: Work) -> Any:
        """Store `work` in the next group; return its result once that group has
        committed. Cancelling the caller before its group starts withdraws it."""
        answer = asyncio.get_running_loop().create_future()
        self._queue.append(_Pending(work, answer))
        if self._runner is None or self._runner.done():
            self._runner = asyncio.create_task(self._drain(), name="group-commit")
        return await answer

    async def _drain(self) -> None:
        while self._queue:
            # One turn of the loop: works sent in the same burst join this group.
            await asyncio.sleep(0)
            group: list[_Pending] = []
            while self._queue and len(group) < self._max_group:
                pending = self._queue.popleft()
                if not pending.answer.done():  # not withdrawn
                    group.append(pending)
            if group:
                # Shielded: the group finishes even if the loop is shutting down,
                # so that nobody's answer is left hanging.
                await asyncio.shield(self._store(group))

    async def _store(self, group: list[_Pending]) -> None:
        try:
            results = await self._database.run_group([p.work for p in group])
        except WorkFailed as failed:
            # Others go back first in line; the failing one gets its own answer.
            self._queue.extendleft(reversed(group[failed.index + 1 :]))
            self._queue.extendleft(reversed(group[: failed.index]))
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
            result = await self._database.run(pending.work)
        except Exception as error:
            if not pending.answer.done():
                pending.answer.set_exception(error)
        else:
            if not pending.answer.done():
                pending.answer.set_result(result)
