"""Repository for organizations' widget settings and identity secrets."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime

import orjson
from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from caseroom.domain.widget import Position, WidgetSettings
from caseroom.storage import tables as t

_c = t.widget_settings.c


class WidgetRepository:
    """One row per organization, created on the first change; until then the
    defaults of WidgetSettings apply."""

    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def settings(self, org_id: str) -> WidgetSettings:
        query = select(_c.position, _c.color, _c.title, _c.greeting, _c.allowed_sites).where(
            _c.org_id == org_id
        )
        row = (await self._conn.execute(query)).first()
        if row is None:
            return WidgetSettings()
        sites = tuple(orjson.loads(row.allowed_sites)) if row.allowed_sites else ()
        return WidgetSettings(Position(row.position), row.color, row.title, row.greeting, sites)

    async def save(self, org_id: str, settings: WidgetSettings, now: datetime) -> None:
        await self._upsert(org_id, {**_columns(settings), "updated_at": now}, now)

    async def identity_secret(self, org_id: str) -> tuple[str, datetime] | None:
        query = select(_c.identity_secret, _c.secret_rotated_at).where(_c.org_id == org_id)
        row = (await self._conn.execute(query)).first()
        if row is None or row.identity_secret is None:
            return None
        return row.identity_secret, row.secret_rotated_at

    async def set_identity_secret(self, org_id: str, secret: str, now: datetime) -> None:
        await self._upsert(org_id, {"identity_secret": secret, "secret_rotated_at": now}, now)

    async def _upsert(self, org_id: str, values: dict[str, object], now: datetime) -> None:
        """Update the row, or insert it with defaults for what `values` leaves out.
        Two first writers racing meet the primary key; the unit of work retries."""
        result = await self._conn.execute(
            update(t.widget_settings).where(_c.org_id == org_id).values(**values)
        )
        if result.rowcount:
            return
        row: dict[str, object] = {**_columns(WidgetSettings()), "updated_at": now, **values}
        await self._conn.execute(insert(t.widget_settings).values(org_id=org_id, **row))


def _columns(settings: WidgetSettings) -> dict[str, object]:
    return {
        **asdict(settings),
        "position": settings.position.value,
        "allowed_sites": orjson.dumps(list(settings.allowed_sites)).decode(),
    }
