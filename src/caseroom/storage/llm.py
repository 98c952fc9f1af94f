"""The organization's language-model assist bot settings (the key sealed)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from caseroom.storage import tables as t
from caseroom.storage.secrets import SecretBox

_l = t.llm_settings.c


@dataclass(frozen=True, slots=True)
class ModelEndpoint:
    org_id: str
    bot_id: str
    url: str  # the API's base, e.g. http://127.0.0.1:11434/v1
    model: str
    api_key: str | None


class LlmSettingsRepository:
    def __init__(self, conn: AsyncConnection, box: SecretBox | None) -> None:
        self._conn = conn
        self._box = box

    async def get(self, org_id: str) -> ModelEndpoint | None:
        query = select(t.llm_settings).where(_l.org_id == org_id)
        row = (await self._conn.execute(query)).first()
        if row is None:
            return None
        secrets = self._box.open(row.secrets) if self._box and row.secrets else {}
        return ModelEndpoint(row.org_id, row.bot_id, row.url, row.model, secrets.get("api_key"))

    async def save(self, endpoint: ModelEndpoint, now: datetime) -> None:
        sealed = None
        if endpoint.api_key and self._box:
            sealed = self._box.seal({"api_key": endpoint.api_key})
        values = {
            "bot_id": endpoint.bot_id,
            "url": endpoint.url,
            "model": endpoint.model,
            "secrets": sealed,
            "updated_at": now,
        }
        done = await self._conn.execute(
            update(t.llm_settings).where(_l.org_id == endpoint.org_id).values(**values)
        )
        if done.rowcount == 0:
            await self._conn.execute(
                insert(t.llm_settings).values(org_id=endpoint.org_id, **values)
            )
