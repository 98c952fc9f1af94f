"""Letting go of stored files. A blob that no row refers to any more is deleted
by a job that runs after the transaction letting go of it commits: deleting it
sooner would leave a row without its file if that transaction rolled back, and
a job survives a crash between the commit and the deletion."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from caseroom.storage.uow import UnitOfWork

BLOB_RELEASE_JOB = "blobs.release"


async def release_blobs(
    uow: UnitOfWork, org_id: str, sha256s: Iterable[str], now: datetime
) -> None:
    """Schedule the deletion of these blobs, each unless something still uses it
    when the job runs."""
    unique = sorted(set(sha256s))
    if not unique:
        return
    await uow.jobs.enqueue(BLOB_RELEASE_JOB, {"sha256": unique}, org_id=org_id, now=now)


async def unreferenced(uow: UnitOfWork, org_id: str, sha256s: Iterable[str]) -> list[str]:
    """Those of `sha256s` that no attachment or transcript of the organization uses."""
    return [s for s in sha256s if not await uow.attachments.blob_in_use(org_id, s)]
