"""The calls repository: each call with its participants (domain/calls.py)."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from caseroom.domain.calls import Call, Caller, CallState, EndReason, Participant
from caseroom.domain.model import AuthorKind, Room
from caseroom.storage import tables as t

_c = t.calls.c
_LIVE = (CallState.RINGING.value, CallState.ACTIVE.value)


def _who(caller: Caller) -> dict[str, str]:
    return {"kind": caller.kind.value, "id": caller.id, "name": caller.name}


def _caller(data: dict[str, Any]) -> Caller:
    return Caller(AuthorKind(data["kind"]), str(data["id"]), str(data["name"]))


def _time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value).astimezone(UTC) if value else None


def _participant(data: dict[str, Any]) -> Participant:
    joined = _time(data["joined_at"])
    assert joined is not None
    return Participant(_caller(data["who"]), data["connection_id"], joined, _time(data["left_at"]))


def _values(call: Call) -> dict[str, Any]:
    return {
        "state": call.state.value,
        "answered_at": call.answered_at,
        "ended_at": call.ended_at,
        "ended_reason": call.ended_reason.value if call.ended_reason else None,
        "participants": [
            {
                "who": _who(p.who),
                "connection_id": p.connection_id,
                "joined_at": p.joined_at.isoformat(),
                "left_at": p.left_at.isoformat() if p.left_at else None,
            }
            for p in call.participants
        ],
        "declined_by": [_who(c) for c in call.declined_by],
    }


def _call(row: Any) -> Call:
    return Call(
        id=row.id,
        org_id=row.org_id,
        issue_id=row.issue_id,
        room=Room(row.room),
        state=CallState(row.state),
        started_by=_caller(row.started_by),
        started_at=row.started_at,
        ring_until=row.ring_until,
        participants=tuple(_participant(p) for p in row.participants),
        declined_by=tuple(_caller(c) for c in row.declined_by),
        answered_at=row.answered_at,
        ended_at=row.ended_at,
        ended_reason=EndReason(row.ended_reason) if row.ended_reason else None,
    )


class CallRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def add(self, call: Call) -> None:
        await self._conn.execute(
            insert(t.calls).values(
                id=call.id,
                org_id=call.org_id,
                issue_id=call.issue_id,
                room=call.room.value,
                started_by=_who(call.started_by),
                started_at=call.started_at,
                ring_until=call.ring_until,
                **_values(call),
            )
        )

    async def save(self, call: Call) -> None:
        await self._conn.execute(
            update(t.calls)
            .where(_c.org_id == call.org_id, _c.id == call.id)
            .values(**_values(call))
        )

    async def get(self, org_id: str, call_id: str, *, for_update: bool = False) -> Call | None:
        query = select(t.calls).where(_c.org_id == org_id, _c.id == call_id)
        if for_update:
            query = query.with_for_update()
        row = (await self._conn.execute(query)).first()
        return _call(row) if row else None

    async def live(self, org_id: str, issue_id: str | None = None) -> list[Call]:
        """Calls ringing or in progress, of one Issue or of the organization."""
        query = select(t.calls).where(_c.org_id == org_id, _c.state.in_(_LIVE))
        if issue_id is not None:
            query = query.where(_c.issue_id == issue_id)
        rows = await self._conn.execute(query.order_by(_c.started_at))
        return [_call(r) for r in rows]

    async def for_issue(self, org_id: str, issue_id: str, limit: int = 100) -> list[Call]:
        query = (
            select(t.calls)
            .where(_c.org_id == org_id, _c.issue_id == issue_id)
            .order_by(_c.started_at.desc())
            .limit(limit)
        )
        return [_call(r) for r in await self._conn.execute(query)]

    async def rename_customer(
        self, org_id: str, issue_ids: list[str], customer_id: str, name: str
    ) -> None:
        """The name the calls of these Issues keep for the Customer (an erasure)."""
        if not issue_ids:
            return
        query = select(t.calls).where(_c.org_id == org_id, _c.issue_id.in_(issue_ids))
        for row in (await self._conn.execute(query)).all():
            call = _call(row)

            def renamed(who: Caller) -> Caller:
                if who.kind is AuthorKind.CUSTOMER and who.id == customer_id:
                    return Caller(who.kind, who.id, name)
                return who

            changed = dataclasses.replace(
                call,
                participants=tuple(
                    dataclasses.replace(p, who=renamed(p.who)) for p in call.participants
                ),
                declined_by=tuple(renamed(c) for c in call.declined_by),
            )
            await self._conn.execute(
                update(t.calls)
                .where(_c.org_id == org_id, _c.id == call.id)
                .values(started_by=_who(renamed(call.started_by)), **_values(changed))
            )
