"""The Customers' satisfaction ratings of resolved Issues."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from caseroom.storage import tables as t

_r = t.ratings.c


@dataclass(frozen=True, slots=True)
class Rating:
    issue_id: str
    score: int
    comment: str | None
    created_at: datetime


class RatingRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def get(self, org_id: str, issue_id: str) -> Rating | None:
        query = select(_r.issue_id, _r.score, _r.comment, _r.created_at).where(
            _r.org_id == org_id, _r.issue_id == issue_id
        )
        row = (await self._conn.execute(query)).first()
        return Rating(*row) if row else None

    async def put(self, org_id: str, rating: Rating) -> None:
        """Store the rating; a second one for the Issue replaces the first."""
        if await self.get(org_id, rating.issue_id) is None:
            await self._conn.execute(
                insert(t.ratings).values(
                    issue_id=rating.issue_id,
                    org_id=org_id,
                    score=rating.score,
                    comment=rating.comment,
                    created_at=rating.created_at,
                    updated_at=rating.created_at,
                )
            )
            return
        await self._conn.execute(
            update(t.ratings)
            .where(_r.org_id == org_id, _r.issue_id == rating.issue_id)
            .values(score=rating.score, comment=rating.comment, updated_at=rating.created_at)
        )

    async def counts(self, org_id: str, since: datetime | None) -> dict[int, int]:
        """How many ratings of each score the organization received."""
        query = select(_r.score, func.count()).where(_r.org_id == org_id).group_by(_r.score)
        if since is not None:
            query = query.where(_r.created_at >= since)
        return {int(s): int(n) for s, n in (await self._conn.execute(query)).all()}

    async def recent(self, org_id: str, limit: int) -> list[Rating]:
        query = (
            select(_r.issue_id, _r.score, _r.comment, _r.created_at)
            .where(_r.org_id == org_id)
            .order_by(_r.created_at.desc())
            .limit(limit)
        )
        return [Rating(*row) for row in (await self._conn.execute(query)).all()]
