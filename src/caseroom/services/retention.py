"""The retention setting: Issues that ended (resolved, closed or canceled) and have
not changed for longer than it are deleted with everything that belongs to them,
by a job per organization and day. The audit log keeps how many went."""

from __future__ import annotations

from datetime import datetime, timedelta

from caseroom.domain.audit import Actor, ActorKind
from caseroom.domain.model import IssueStatus
from caseroom.services.audit import audit
from caseroom.services.blobs import release_blobs
from caseroom.storage.uow import UnitOfWork

RETENTION_JOB = "retention.purge"
ENDED = frozenset({IssueStatus.RESOLVED, IssueStatus.CLOSED, IssueStatus.CANCELED})
BATCH = 200
_RETENTION = Actor(ActorKind.OPERATOR, None, "retention setting")


async def schedule_day(uow: UnitOfWork, now: datetime) -> None:
    """One purge job per organization for today (a second call the same day, from
    any process, adds nothing)."""
    for org_id in await uow.retention.organization_ids():
        await uow.jobs.enqueue(
            RETENTION_JOB, {}, org_id=org_id, now=now, dedupe_key=f"retention:{org_id}:{now.date()}"
        )


async def purge_expired(uow: UnitOfWork, org_id: str, keep: timedelta, now: datetime) -> int:
    """Purge one batch of the organization's expired Issues; returns how many. A
    full batch queues the next one at once."""
    ended = frozenset(s.value for s in ENDED)
    issue_ids = await uow.retention.expired(org_id, ended, now - keep, BATCH)
    if not issue_ids:
        return 0
    blobs = await uow.retention.purge(org_id, issue_ids)
    await release_blobs(uow, org_id, blobs, now)
    detail = {"issues": len(issue_ids), "older_than_days": keep.days}
    await audit(uow, org_id, _RETENTION, "retention.purge", None, detail)
    if len(issue_ids) == BATCH:
        await uow.jobs.enqueue(RETENTION_JOB, {}, org_id=org_id, now=now)
    return len(issue_ids)
