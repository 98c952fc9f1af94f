"""Repository for an organization's redaction patterns."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from caseroom.domain.redaction import CARD_NUMBERS, PatternKind, RedactionPattern
from caseroom.storage import tables as t

_r = t.redaction_patterns.c


class RedactionPatternRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def add(
        self, org_id: str, pattern: RedactionPattern, created_by: str | None, now: datetime
    ) -> None:
        await self._conn.execute(
            insert(t.redaction_patterns).values(
                id=pattern.id,
                org_id=org_id,
                name=pattern.name,
                pattern=pattern.pattern,
                created_by=created_by,
                created_at=now,
            )
        )

    async def remove(self, org_id: str, pattern_id: str) -> bool:
        result = await self._conn.execute(
            delete(t.redaction_patterns).where(_r.org_id == org_id, _r.id == pattern_id)
        )
        return bool(result.rowcount)

    async def defined(self, org_id: str) -> list[RedactionPattern]:
        """The organization's own patterns, oldest first."""
        query = select(t.redaction_patterns).where(_r.org_id == org_id).order_by(_r.id)
        return [
            RedactionPattern(r.id, r.name, PatternKind.REGEX, r.pattern)
            for r in (await self._conn.execute(query)).all()
        ]

    async def list_redaction_patterns(self, org_id: str) -> list[RedactionPattern]:
        """Every pattern that applies to the organization's text: the built-in card
        check, then its own. What transcripts and redaction pass to `redact_text`."""
        return [CARD_NUMBERS, *await self.defined(org_id)]
