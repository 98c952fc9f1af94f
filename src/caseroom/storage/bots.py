"""Repository for an organization's bots."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from caseroom.domain.model import Bot, BotKind
from caseroom.storage import tables as t

_b = t.bots.c


def _bot(row: Any) -> Bot:
    return Bot(row.id, row.org_id, row.nickname, row.name, BotKind(row.kind), bool(row.active))


class BotRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def add(self, bot: Bot, now: datetime) -> None:
        await self._conn.execute(
            insert(t.bots).values(
                id=bot.id,
                org_id=bot.org_id,
                nickname=bot.nickname,
                name=bot.name,
                kind=bot.kind.value,
                active=bot.active,
                created_at=now,
            )
        )

    async def get(self, org_id: str, bot_id: str) -> Bot | None:
        query = select(t.bots).where(_b.org_id == org_id, _b.id == bot_id)
        row = (await self._conn.execute(query)).first()
        return _bot(row) if row else None

    async def by_nickname(self, org_id: str, nickname: str) -> Bot | None:
        query = select(t.bots).where(_b.org_id == org_id, _b.nickname == nickname.lower())
        row = (await self._conn.execute(query)).first()
        return _bot(row) if row else None

    async def list(self, org_id: str) -> list[Bot]:
        query = select(t.bots).where(_b.org_id == org_id).order_by(_b.nickname)
        return [_bot(r) for r in (await self._conn.execute(query)).all()]
