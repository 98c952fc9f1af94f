"""The audit log for admins: a filtered, paged listing and a CSV export."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Annotated

import orjson
from fastapi import APIRouter, Query
from fastapi.responses import StreamingResponse

from caseroom.domain.audit import AuditEntry, AuditFilter
from caseroom.domain.errors import InvalidInput
from caseroom.services import audit
from caseroom.storage.uow import UnitOfWork
from caseroom.web.deps import Context, CurrentPrincipal
from caseroom.web.schemas_admin import AuditEntryOut, AuditPage

router = APIRouter(prefix="/api/v1/admin", tags=["audit log"])

CSV_COLUMNS = (
    "id",
    "created_at",
    "actor_kind",
    "actor_id",
    "actor_name",
    "client_address",
    "action",
    "target_kind",
    "target_id",
    "detail",
)
_CSV_BATCH = 500


def _filter(
    action: str | None,
    actor_id: str | None,
    target_id: str | None,
    since: datetime | None,
    until: datetime | None,
) -> AuditFilter:
    for name, value in (("since", since), ("until", until)):
        if value is not None and value.tzinfo is None:
            raise InvalidInput(f"{name} needs a time zone (e.g. 2026-12-01T09:00:00Z)", field=name)
    return AuditFilter(action, actor_id, target_id, since, until)


@router.get("/audit", response_model=AuditPage)
async def list_audit(
    principal: CurrentPrincipal,
    context: Context,
    action: Annotated[
        str | None, Query(max_length=64, description="exact, or a prefix ending in '.'")
    ] = None,
    actor_id: Annotated[str | None, Query(max_length=32)] = None,
    target_id: Annotated[str | None, Query(max_length=32)] = None,
    since: Annotated[datetime | None, Query(description="ISO 8601, inclusive")] = None,
    until: Annotated[datetime | None, Query(description="ISO 8601, exclusive")] = None,
    before: Annotated[str | None, Query(max_length=32, description="an entry id")] = None,
    limit: Annotated[int | None, Query(ge=1)] = None,
) -> AuditPage:
    """Admin actions and sign-ins, newest first."""
    where = _filter(action, actor_id, target_id, since, until)
    settings = context.settings
    size = min(limit or settings.page_size_default, settings.page_size_max)

    async def work(uow: UnitOfWork) -> list[AuditEntry]:
        return await audit.list_audit(principal, uow, where, before=before, limit=size)

    found = await context.db.read(work)
    return AuditPage(
        entries=[AuditEntryOut.of(e) for e in found],
        next_before=found[-1].id if len(found) == size else None,
    )


@router.get("/audit.csv", response_class=StreamingResponse)
async def export_audit(
    principal: CurrentPrincipal,
    context: Context,
    action: Annotated[str | None, Query(max_length=64)] = None,
    actor_id: Annotated[str | None, Query(max_length=32)] = None,
    target_id: Annotated[str | None, Query(max_length=32)] = None,
    since: Annotated[datetime | None, Query()] = None,
    until: Annotated[datetime | None, Query()] = None,
) -> StreamingResponse:
    """Every matching entry as CSV (the same filters), newest first."""
    where = _filter(action, actor_id, target_id, since, until)

    async def first_page(uow: UnitOfWork) -> list[AuditEntry]:
        # Checks the principal before the response starts, so a refusal is a problem.
        return await audit.list_audit(principal, uow, where, before=None, limit=_CSV_BATCH)

    first = await context.db.read(first_page)

    async def rows() -> AsyncIterator[str]:
        yield _csv_line(CSV_COLUMNS)
        page = first
        while page:
            for entry in page:
                yield _csv_line(_csv_row(entry))
            if len(page) < _CSV_BATCH:
                return
            before = page[-1].id

            async def next_page(uow: UnitOfWork, before: str = before) -> list[AuditEntry]:
                return await audit.list_audit(
                    principal, uow, where, before=before, limit=_CSV_BATCH
                )

            page = await context.db.read(next_page)

    return StreamingResponse(
        rows(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="audit-log.csv"'},
    )


def _csv_row(entry: AuditEntry) -> tuple[str, ...]:
    actor = entry.actor
    return (
        entry.id,
        entry.created_at.isoformat() if entry.created_at else "",
        actor.kind.value,
        actor.id or "",
        actor.name,
        actor.client_address or "",
        entry.action,
        entry.target_kind or "",
        entry.target_id or "",
        orjson.dumps(entry.detail, option=orjson.OPT_SORT_KEYS).decode(),
    )


def _csv_line(values: tuple[str, ...]) -> str:
    out = io.StringIO()
    # A cell starting with = + - @ would be a formula in a spreadsheet: quote it flat.
    safe = [f"'{v}" if v[:1] in ("=", "+", "-", "@") else v for v in values]
    csv.writer(out, lineterminator="\r\n").writerow(safe)
    return out.getvalue()
