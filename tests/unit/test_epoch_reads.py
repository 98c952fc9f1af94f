"""On PostgreSQL, requests that arrive while the principal epoch is being read
share the next read, never the one already on its way: a change committed
before a request arrived is always in what that request reads."""

from __future__ import annotations

import asyncio

from caseroom.storage.principal_epoch import _PooledEpoch


class AnsweredByTheTest(_PooledEpoch):
    """The reads go nowhere: the test answers each, in order."""

    def __init__(self) -> None:
        super().__init__(engine=None)  # type: ignore[arg-type]
        self.reads: list[asyncio.Future[int | None]] = []

    async def _read_once(self) -> int | None:
        self.reads.append(asyncio.get_running_loop().create_future())
        return await self.reads[-1]


async def _turns(n: int = 5) -> None:
    for _ in range(n):
        await asyncio.sleep(0)


async def test_requests_arriving_during_a_read_share_the_next_one() -> None:
    epoch = AnsweredByTheTest()
    first = asyncio.create_task(epoch.read())
    await _turns()
    later = [asyncio.create_task(epoch.read()) for _ in range(3)]
    await _turns()
    assert len(epoch.reads) == 1  # the later ones wait: the read on its way began before them

    epoch.reads[0].set_result(7)
    await _turns()
    assert first.result() == 7
    assert not any(task.done() for task in later)
    assert len(epoch.reads) == 2  # one read for the three of them

    epoch.reads[1].set_result(8)  # what a change committed meanwhile moved it to
    assert await asyncio.gather(*later) == [8, 8, 8]


async def test_a_request_that_goes_away_leaves_the_others_their_answer() -> None:
    epoch = AnsweredByTheTest()
    leaving, staying = asyncio.create_task(epoch.read()), asyncio.create_task(epoch.read())
    await _turns()
    leaving.cancel()
    await _turns()
    epoch.reads[0].set_result(3)
    assert await staying == 3
    # And the next request reads again.
    again = asyncio.create_task(epoch.read())
    await _turns()
    epoch.reads[1].set_result(4)
    assert await again == 4
