"""Group commit under steady load: a group stored a moment ago makes the next one
wait for the sends of the following moments, so that they share a transaction;
after a quiet spell a send is stored at once, alone."""

from __future__ import annotations

import asyncio
from typing import Any

from caseroom.storage.group_commit import GroupCommit, Work

LINGER = 0.2  # seconds; the sends below come well inside or well outside it
CLOSE = 0.02


class Recorded:
    """Stores nothing: records which works shared each transaction."""

    def __init__(self) -> None:
        self.groups: list[list[str]] = []

    async def store_group(self, works: list[Work]) -> list[Any]:
        self.groups.append([await work(None) for work in works])
        return list(self.groups[-1])

    async def store_one(self, work: Work) -> Any:
        return await work(None)


def _named(name: str) -> Work:
    async def work(_uow: Any) -> str:
        return name

    return work


async def _send_after(commit: GroupCommit, name: str, delay: float) -> str:
    await asyncio.sleep(delay)
    return str(await commit.run(_named(name), key="issue"))


async def test_sends_following_a_stored_group_closely_share_the_next_one() -> None:
    recorded = Recorded()
    commit = GroupCommit(recorded.store_group, recorded.store_one, 100, linger=LINGER)
    await commit.run(_named("first"), key="issue")
    answers = await asyncio.gather(_send_after(commit, "a", 0), _send_after(commit, "b", CLOSE))
    assert answers == ["a", "b"]
    assert recorded.groups == [["first"], ["a", "b"]]


async def test_after_a_quiet_spell_a_send_is_stored_at_once() -> None:
    recorded = Recorded()
    commit = GroupCommit(recorded.store_group, recorded.store_one, 100, linger=LINGER)
    await commit.run(_named("first"), key="issue")
    await asyncio.sleep(LINGER * 1.5)
    await asyncio.gather(_send_after(commit, "a", 0), _send_after(commit, "b", CLOSE))
    # "a" did not wait; "b", coming right after a stored group, found no one to join.
    assert recorded.groups == [["first"], ["a"], ["b"]]


async def test_without_linger_each_moment_is_its_own_group() -> None:
    recorded = Recorded()
    commit = GroupCommit(recorded.store_group, recorded.store_one, 100)
    await commit.run(_named("first"), key="issue")
    await asyncio.gather(_send_after(commit, "a", 0), _send_after(commit, "b", CLOSE))
    assert recorded.groups == [["first"], ["a"], ["b"]]
