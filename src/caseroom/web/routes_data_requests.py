"""A Customer's data requests, for admins: the export as a zip, and erasure."""

from __future__ import annotations

import asyncio
import tempfile
import zipfile
from collections.abc import AsyncIterator
from typing import IO

import orjson
from fastapi import APIRouter
from fastapi.responses import StreamingResponse
from pydantic import BaseModel

from caseroom.domain.model import Message
from caseroom.services import data_requests
from caseroom.storage.blobs import BlobStore
from caseroom.storage.uow import UnitOfWork
from caseroom.web.deps import Context, CurrentPrincipal

router = APIRouter(prefix="/api/v1/admin/customers", tags=["data requests"])
_CHUNK = 64 * 1024


class ErasureOut(BaseModel):
    customer_id: str
    issues: int
    messages_erased: int
    messages_scrubbed: int
    files_removed: int


def _message(message: Message) -> dict[str, object]:
    return {
        "seq": message.seq,
        "created_at": message.created_at.isoformat(),
        "author": message.author_name,
        "author_kind": message.author_kind.value,
        "channel": message.channel.value,
        "body": message.body,
        "files": [f"files/{a.id}-{a.filename}" for a in message.attachments],
    }


async def _write_zip(found: data_requests.CustomerExport, blobs: BlobStore, out: IO[bytes]) -> None:
    customer = found.customer
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        profile = {
            "name": customer.name,
            "email": customer.email,
            "phone": customer.phone,
            "external_id": customer.external_id,
        }
        archive.writestr("customer.json", orjson.dumps(profile, option=orjson.OPT_INDENT_2))
        for item in found.issues:
            issue, folder = item.issue, f"issues/{item.issue.reference}"
            summary = {
                "reference": issue.reference,
                "subject": issue.subject,
                "status": issue.status.value,
                "created_at": issue.created_at.isoformat(),
                "messages": [_message(m) for m in item.messages],
            }
            archive.writestr(
                f"{folder}/issue.json", orjson.dumps(summary, option=orjson.OPT_INDENT_2)
            )
            for message in item.messages:
                for attachment in message.attachments:
                    name = f"{folder}/files/{attachment.id}-{attachment.filename}"
                    with archive.open(name, "w") as target:
                        async for chunk in blobs.read(issue.org_id, attachment.sha256):
                            await asyncio.to_thread(target.write, chunk)


@router.get("/{customer_id}/export", response_class=StreamingResponse)
async def export_customer(
    customer_id: str, principal: CurrentPrincipal, context: Context
) -> StreamingResponse:
    """A zip of what the Customer may see: their Issues and the public room's
    messages and files (never a note or the private room)."""

    async def work(uow: UnitOfWork) -> data_requests.CustomerExport:
        return await data_requests.export_customer(principal, uow, customer_id)

    found = await context.db.run(work)  # run: the export is written to the audit log
    spool = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 (streamed)
    await _write_zip(found, context.blobs, spool)
    size = spool.tell()
    spool.seek(0)

    async def chunks() -> AsyncIterator[bytes]:
        try:
            while chunk := await asyncio.to_thread(spool.read, _CHUNK):
                yield chunk
        finally:
            spool.close()

    headers = {
        "Content-Disposition": f'attachment; filename="customer-{customer_id}.zip"',
        "Content-Length": str(size),
        "Cache-Control": "private, no-store",
    }
    return StreamingResponse(chunks(), media_type="application/zip", headers=headers)


@router.post("/{customer_id}/erase", response_model=ErasureOut)
async def erase_customer(
    customer_id: str, principal: CurrentPrincipal, context: Context
) -> ErasureOut:
    """Remove the Customer's personal data: their name and addresses, their own
    messages' text and files, and every mention of them in their Issues. Cannot be
    undone; the audit log keeps that it happened, not what was erased."""

    async def work(uow: UnitOfWork) -> data_requests.Erasure:
        return await data_requests.erase_customer(principal, uow, customer_id)

    erased = await context.db.run(work)
    return ErasureOut(
        customer_id=erased.customer_id,
        issues=erased.issues,
        messages_erased=erased.messages_erased,
        messages_scrubbed=erased.messages_scrubbed,
        files_removed=erased.files_removed,
    )
