"""Transcripts: the versions filed on each resolution (agents only; to anyone else
they do not exist), and the Customer's copy of the public room on request."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

from fastapi import APIRouter, Response

from caseroom.domain.records import TranscriptFile
from caseroom.domain.transcript import CONTENT_TYPES, Transcript, TranscriptFormat
from caseroom.rendering import render_transcript
from caseroom.services import transcripts
from caseroom.storage.uow import UnitOfWork
from caseroom.web.deps import Context, CurrentPrincipal
from caseroom.web.downloads import file_response
from caseroom.web.schemas import TranscriptList, TranscriptOut

router = APIRouter(prefix="/api/v1/issues", tags=["transcripts"])
_BINARY: dict[int | str, dict[str, Any]] = {
    200: {"content": {"application/pdf": {}, "text/html": {}}}
}


@router.get("/{issue_id}/transcripts", response_model=TranscriptList)
async def list_transcripts(
    issue_id: str, principal: CurrentPrincipal, context: Context
) -> TranscriptList:
    """Every filed version, oldest first: for each resolution, the public and the
    private room, in HTML and PDF. Agents only."""

    async def work(uow: UnitOfWork) -> list[TranscriptFile]:
        return await transcripts.list_transcripts(principal, uow, issue_id)

    found = await context.db.read(work)
    return TranscriptList(
        items=[TranscriptOut.model_validate(transcripts.transcript_payload(f)) for f in found]
    )


@router.get(
    "/{issue_id}/transcripts/{transcript_id}/content", response_class=Response, responses=_BINARY
)
async def download_transcript(
    issue_id: str, transcript_id: str, principal: CurrentPrincipal, context: Context
) -> Response:
    async def work(uow: UnitOfWork) -> TranscriptFile:
        return await transcripts.access_transcript(principal, uow, issue_id, transcript_id)

    found = await context.db.read(work)
    return file_response(
        context.blobs.read(found.org_id, found.sha256),
        content_type=found.content_type,
        filename=found.filename,
        size=found.size,
    )


@router.get("/{issue_id}/transcript", response_class=Response, responses=_BINARY)
async def customer_transcript(
    issue_id: str,
    principal: CurrentPrincipal,
    context: Context,
    format: TranscriptFormat = TranscriptFormat.PDF,
) -> Response:
    """A copy of the public room for the Customer, made now: messages and events as
    the Customer saw them, never notes or anything of the private room."""

    async def work(uow: UnitOfWork) -> Transcript:
        return await transcripts.customer_copy(principal, uow, issue_id)

    document = await context.db.read(work)
    font_dir = context.settings.transcript_font_dir
    data = await asyncio.to_thread(render_transcript, document, format, font_dir)
    return file_response(
        _once(data),
        content_type=CONTENT_TYPES[format],
        filename=document.filename(format),
        size=len(data),
    )


async def _once(data: bytes) -> AsyncIterator[bytes]:
    yield data
