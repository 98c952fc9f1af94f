"""The job table (outbox): enqueue in the caller's transaction, claim with a lease,
finish or reschedule. A claim is one conditional UPDATE, so two workers (or two
processes) never hold the same job at once; a worker that dies lets its lease
run out and the job is claimed again."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import structlog
from sqlalchemy import func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from caseroom.domain.ids import new_id
from caseroom.domain.records import JOB_DONE, JOB_FAILED, JOB_PENDING, Job
from caseroom.storage import tables as t

_j = t.jobs.c
PENDING, DONE, FAILED = JOB_PENDING, JOB_DONE, JOB_FAILED


# Kept beside the handler's own fields in the payload, and taken out on reading.
_REQUEST_ID = "_request_id"


def _to_job(row: Any) -> Job:
    payload = dict(row.payload)
    request_id = payload.pop(_REQUEST_ID, None)
    return Job(
        id=row.id,
        org_id=row.org_id,
        kind=row.kind,
        dedupe_key=row.dedupe_key,
        payload=payload,
        request_id=request_id,
        run_after=row.run_after,
        attempts=row.attempts,
        state=row.state,
        last_error=row.last_error,
        created_at=row.created_at,
    )


class JobRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn
        self.enqueued = 0  # jobs added in this transaction: the worker is nudged after commit

    async def enqueue(
        self,
        kind: str,
        payload: dict[str, Any],
        *,
        org_id: str,
        now: datetime,
        dedupe_key: str | None = None,
        run_after: datetime | None = None,
    ) -> bool:
        """Add a job of `kind`, due at `run_after` (now by default), unless one with
        its dedupe key exists (none given: a key of its own); True if added."""
        job_id = new_id()
        key = dedupe_key or f"{kind}:{job_id}"
        if dedupe_key is not None:
            exists = select(_j.id).where(_j.dedupe_key == key)
            if (await self._conn.execute(exists)).first() is not None:
                return False
        await self._conn.execute(
            insert(t.jobs).values(
                id=job_id,
                org_id=org_id,
                kind=kind,
                dedupe_key=key,
                payload=_with_request_id(payload),
                state=PENDING,
                attempts=0,
                run_after=run_after or now,
                created_at=now,
            )
        )
        self.enqueued += 1
        return True

    async def due_ids(self, now: datetime, limit: int) -> list[str]:
        query = (
            select(_j.id)
            .where(_j.state == PENDING, _j.run_after <= now, _free(now))
            .order_by(_j.run_after, _j.id)
            .limit(limit)
        )
        return list((await self._conn.execute(query)).scalars())

    async def claim(self, job_id: str, now: datetime, lease: timedelta) -> Job | None:
        """Take the job for `lease` if it is still pending, due and unleased."""
        result = await self._conn.execute(
            update(t.jobs)
            .where(_j.id == job_id, _j.state == PENDING, _j.run_after <= now, _free(now))
            .values(locked_until=now + lease, attempts=_j.attempts + 1)
        )
        if result.rowcount != 1:
            return None
        return await self.get(job_id)

    async def get(self, job_id: str) -> Job | None:
        row = (await self._conn.execute(select(t.jobs).where(_j.id == job_id))).first()
        return _to_job(row) if row else None

    async def finish(self, job_id: str, now: datetime) -> None:
        await self._conn.execute(
            update(t.jobs)
            .where(_j.id == job_id)
            .values(state=DONE, locked_until=None, finished_at=now, last_error=None)
        )

    async def reschedule(
        self, job_id: str, *, run_after: datetime, error: str, give_up: bool, now: datetime
    ) -> None:
        await self._conn.execute(
            update(t.jobs)
            .where(_j.id == job_id, _j.state == PENDING)
            .values(
                state=FAILED if give_up else PENDING,
                run_after=run_after,
                locked_until=None,
                last_error=error,
                finished_at=now if give_up else None,
            )
        )

    async def for_org(self, org_id: str, kind: str) -> list[Job]:
        query = select(t.jobs).where(_j.org_id == org_id, _j.kind == kind).order_by(_j.id)
        return [_to_job(r) for r in (await self._conn.execute(query)).all()]

    async def count_pending(self) -> int:
        query = select(func.count()).where(_j.state == PENDING)
        return int((await self._conn.execute(query)).scalar_one())


def _free(now: datetime) -> Any:
    return or_(_j.locked_until.is_(None), _j.locked_until < now)


def _with_request_id(payload: dict[str, Any]) -> dict[str, Any]:
    request_id = structlog.contextvars.get_contextvars().get("request_id")
    return {**payload, _REQUEST_ID: request_id} if request_id else payload
