"""Repository for an organization's bots."""

from __future__ import annotations

import builtins
from datetime import datetime
from typing import Any

from sqlalchemy import String, bindparam, insert, literal, select, union_all, update
from sqlalchemy.ext.asyncio import AsyncConnection

from caseroom.domain.model import Bot, BotKind
from caseroom.storage import tables as t

_b = t.bots.c
_s = t.bot_sessions.c
_g = t.bot_suggestions.c
_w = t.welcome_settings.c
ACTIVE, HANDED_OFF = "active", "handed_off"

# Built once: they run in the send transaction of Customer messages.
_HAS_WELCOME = (
    select(_b.id).where(_b.org_id == bindparam("org_id"), _b.kind == BotKind.WELCOME.value).limit(1)
)
_SESSION_ROW = select(
    _s.bot_id.label("bot_id"), _s.state.label("state"), literal(0).label("o")
).where(_s.org_id == bindparam("org_id"), _s.issue_id == bindparam("issue_id"))
_ACTIVE_BOT_ROW = (
    select(_b.id.label("bot_id"), literal(None, String).label("state"), literal(1).label("o"))
    .where(_b.org_id == bindparam("org_id"), _b.kind == BotKind.WELCOME.value, _b.active.is_(True))
    .order_by(_b.created_at, _b.id)
    .limit(1)
    .subquery()
)
_WELCOME_TURN = union_all(_SESSION_ROW, select(_ACTIVE_BOT_ROW)).order_by("o").limit(1)


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

    async def save(self, bot: Bot) -> None:
        await self._conn.execute(
            update(t.bots)
            .where(_b.org_id == bot.org_id, _b.id == bot.id)
            .values(name=bot.name, active=bot.active)
        )

    async def welcome_bot(self, org_id: str) -> Bot | None:
        """The organization's active welcome bot (the first registered, if several)."""
        query = (
            select(t.bots)
            .where(_b.org_id == org_id, _b.kind == BotKind.WELCOME.value, _b.active.is_(True))
            .order_by(_b.created_at, _b.id)
            .limit(1)
        )
        row = (await self._conn.execute(query)).first()
        return _bot(row) if row else None

    # -- the Issues a welcome bot serves ------------------------------------------

    async def session(self, org_id: str, issue_id: str) -> tuple[str, str] | None:
        """(bot id, state) of the welcome bot serving the Issue, if one ever did."""
        query = select(_s.bot_id, _s.state).where(_s.org_id == org_id, _s.issue_id == issue_id)
        row = (await self._conn.execute(query)).first()
        return (row.bot_id, row.state) if row else None

    async def has_welcome_bot(self, org_id: str) -> bool:
        """Whether the organization has a welcome bot at all (on or off)."""
        found = (await self._conn.execute(_HAS_WELCOME, {"org_id": org_id})).first()
        return found is not None

    async def welcome_turn(self, org_id: str, issue_id: str) -> tuple[str, str | None] | None:
        """In one round trip: (bot id, session state) of the bot serving the Issue,
        else (the organization's active welcome bot, None), else None."""
        params = {"org_id": org_id, "issue_id": issue_id}
        row = (await self._conn.execute(_WELCOME_TURN, params)).first()
        return (row.bot_id, row.state) if row else None

    async def start_session(self, org_id: str, issue_id: str, bot_id: str, now: datetime) -> None:
        await self._conn.execute(
            insert(t.bot_sessions).values(
                issue_id=issue_id, org_id=org_id, bot_id=bot_id, state=ACTIVE, created_at=now
            )
        )

    async def hand_off(self, org_id: str, issue_id: str, now: datetime) -> bool:
        """End the bot's turn; True if it was still talking."""
        result = await self._conn.execute(
            update(t.bot_sessions)
            .where(_s.org_id == org_id, _s.issue_id == issue_id, _s.state == ACTIVE)
            .values(state=HANDED_OFF, handed_off_at=now)
        )
        return result.rowcount == 1

    # -- suggestions an agent may send on ------------------------------------------

    async def add_suggestion(self, org_id: str, issue_id: str, message_id: str, text: str) -> None:
        await self._conn.execute(
            insert(t.bot_suggestions).values(
                message_id=message_id, org_id=org_id, issue_id=issue_id, text=text
            )
        )

    async def suggestion(
        self, org_id: str, message_id: str, *, for_update: bool = False
    ) -> tuple[str, str, str | None] | None:
        """(issue id, text, the public message it became) of a suggestion."""
        query = select(_g.issue_id, _g.text, _g.sent_message_id).where(
            _g.org_id == org_id, _g.message_id == message_id
        )
        if for_update:
            query = query.with_for_update()
        row = (await self._conn.execute(query)).first()
        return (row.issue_id, row.text, row.sent_message_id) if row else None

    async def suggestions(self, org_id: str, issue_id: str) -> dict[str, str | None]:
        """message id -> the public message it became (None: not sent yet)."""
        query = select(_g.message_id, _g.sent_message_id).where(
            _g.org_id == org_id, _g.issue_id == issue_id
        )
        return {r.message_id: r.sent_message_id for r in (await self._conn.execute(query)).all()}

    async def forget_suggestions(self, org_id: str, issue_ids: builtins.list[str]) -> None:
        if issue_ids:
            await self._conn.execute(
                update(t.bot_suggestions)
                .where(_g.org_id == org_id, _g.issue_id.in_(issue_ids))
                .values(text="[erased]")
            )

    async def mark_sent(self, org_id: str, message_id: str, sent_message_id: str) -> None:
        await self._conn.execute(
            update(t.bot_suggestions)
            .where(_g.org_id == org_id, _g.message_id == message_id)
            .values(sent_message_id=sent_message_id)
        )

    # -- the built-in welcome bot's settings ----------------------------------------

    async def welcome_settings(
        self, org_id: str
    ) -> tuple[str, str, builtins.list[dict[str, Any]]] | None:
        """(bot id, greeting, topics) of the organization's built-in welcome bot."""
        query = select(_w.bot_id, _w.greeting, _w.topics).where(_w.org_id == org_id)
        row = (await self._conn.execute(query)).first()
        return (row.bot_id, row.greeting, list(row.topics or ())) if row else None

    async def save_welcome_settings(
        self,
        org_id: str,
        bot_id: str,
        greeting: str,
        topics: builtins.list[dict[str, Any]],
        now: datetime,
    ) -> None:
        values = {"bot_id": bot_id, "greeting": greeting, "topics": topics, "updated_at": now}
        done = await self._conn.execute(
            update(t.welcome_settings).where(_w.org_id == org_id).values(**values)
        )
        if done.rowcount == 0:
            await self._conn.execute(insert(t.welcome_settings).values(org_id=org_id, **values))
