"""Files on messages: the limits, sending a message with files, the attachments
view, and downloads (visibility exactly as for the messages that carry them)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response, status
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError

from caseroom.domain.files import SAFE_INLINE, StoredFile, clean_filename, sniff_content_type
from caseroom.domain.model import Attachment, Channel, MessageKind, Room
from caseroom.services import attachments, messages
from caseroom.services.common import utcnow
from caseroom.storage.blobs import StagedBlob
from caseroom.storage.uow import UnitOfWork
from caseroom.web.deps import Context, CurrentPrincipal
from caseroom.web.downloads import file_response
from caseroom.web.schemas import (
    AttachmentList,
    AttachmentViewItem,
    LimitsOut,
    MessageOut,
    UploadFields,
)
from caseroom.web.uploads import UploadLimits, receive_upload

router = APIRouter(prefix="/api/v1", tags=["attachments"])
# Signed links live outside the API: short, for email and text messages.
links_router = APIRouter()

# The upload route, for the body-size middleware: it gets the upload cap.
UPLOAD_PATH_PATTERN = r"/api/v1/issues/[^/]+/rooms/[^/]+/attachments"

_MULTIPART_DOC = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["idempotency_key", "files"],
                    "properties": {
                        "body": {"type": "string", "description": "optional text"},
                        "kind": {"type": "string", "enum": ["message", "note"]},
                        "channel": {"type": "string", "enum": ["chat", "sms", "email"]},
                        "idempotency_key": {"type": "string", "minLength": 8},
                        "files": {
                            "type": "array",
                            "items": {"type": "string", "format": "binary"},
                        },
                    },
                }
            }
        },
    }
}


@router.get("/limits", response_model=LimitsOut, tags=["limits"])
async def get_limits(context: Context) -> LimitsOut:
    """The limits the server enforces on messages and files; no sign-in needed."""
    settings = context.settings
    return LimitsOut(
        max_file_bytes=settings.max_file_bytes,
        max_files_per_message=settings.max_files_per_message,
        max_upload_bytes=settings.max_upload_request_bytes,
        max_message_chars=settings.max_message_chars,
        max_filename_chars=settings.max_filename_chars,
        inline_content_types=sorted(SAFE_INLINE),
    )


@router.post(
    "/issues/{issue_id}/rooms/{room}/attachments",
    response_model=MessageOut,
    status_code=status.HTTP_201_CREATED,
    openapi_extra=_MULTIPART_DOC,
    responses={
        200: {"description": "a retry: the message first created with this key"},
        413: {"description": "a file, or the request, is over its limit (`limit` in the body)"},
        422: {"description": "too many files (`limit` in the body) or a bad field"},
    },
)
async def send_with_files(
    issue_id: str,
    room: Room,
    request: Request,
    principal: CurrentPrincipal,
    context: Context,
    response: Response,
) -> MessageOut:
    """Send a message carrying one or more files (multipart/form-data: `files`
    parts, optional `body`, `kind`, and the `idempotency_key`). The type of each
    file is sniffed from its bytes; names are reduced to a safe display name."""
    settings, store = context.settings, context.blobs

    async def may_send(uow: UnitOfWork) -> None:
        await messages.check_may_send(principal, uow, issue_id, room, MessageKind.MESSAGE)

    await context.db.read(may_send)  # refuse before reading a byte of the body
    limits = UploadLimits(
        max_file_bytes=settings.max_file_bytes,
        max_files=settings.max_files_per_message,
        max_field_bytes=4 * settings.max_message_chars,
    )
    received = await receive_upload(request, store, principal.org_id, limits)
    staged = [blob for _, blob in received.files]
    try:
        new = _new_message(room, received.fields, received.files, settings.max_filename_chars)
    except BaseException:
        for blob in staged:
            await store.discard(blob)
        raise
    sent = await context.sender.post(principal, issue_id, new, staged)
    if not sent.created:
        response.status_code = status.HTTP_200_OK
    return MessageOut.of(sent.message, principal)


def _new_message(
    room: Room, fields: dict[str, str], files: list[tuple[str, StagedBlob]], max_name: int
) -> messages.NewMessage:
    try:
        parsed = UploadFields.model_validate(fields)
    except ValidationError as error:
        raise RequestValidationError(error.errors()) from error
    if not files:
        raise RequestValidationError(
            [{"loc": ("body", "files"), "msg": "attach at least one file", "type": "missing"}]
        )
    return messages.NewMessage(
        room=room,
        body=parsed.body,
        kind=MessageKind(parsed.kind),
        channel=Channel(parsed.channel) if parsed.channel else None,
        idempotency_key=parsed.idempotency_key,
        files=tuple(
            StoredFile(
                filename=clean_filename(name, max_chars=max_name),
                content_type=sniff_content_type(blob.head),
                size=blob.size,
                sha256=blob.sha256,
            )
            for name, blob in files
        ),
    )


@router.get("/issues/{issue_id}/attachments", response_model=AttachmentList)
async def list_attachments(
    issue_id: str, principal: CurrentPrincipal, context: Context
) -> AttachmentList:
    """Every file of the Issue with who sent it, when, and in which room. A Customer
    sees the files of the public room only, and never files on notes."""

    async def work(uow: UnitOfWork) -> list[Attachment]:
        return await attachments.list_attachments(principal, uow, issue_id)

    found = await context.db.read(work)
    return AttachmentList(items=[AttachmentViewItem.of(a) for a in found])


@router.get(
    "/issues/{issue_id}/attachments/{attachment_id}/content",
    response_class=Response,
    responses={200: {"content": {"application/octet-stream": {}}}},
)
async def download_attachment(
    issue_id: str,
    attachment_id: str,
    principal: CurrentPrincipal,
    context: Context,
    download: Annotated[bool, Query(description="always as a download")] = False,
) -> Response:
    """The file's bytes. Only images and plain text may show inline; everything
    else, active content included, is always served as a download."""

    async def work(uow: UnitOfWork) -> Attachment:
        return await attachments.access_attachment(principal, uow, issue_id, attachment_id)

    found = await context.db.read(work)
    return file_response(
        context.blobs.read(found.org_id, found.sha256),
        content_type=found.content_type,
        filename=found.filename,
        size=found.size,
        download=download,
    )


@links_router.get(
    "/f/{token}",
    include_in_schema=False,
    response_class=Response,
    responses={200: {"content": {"application/octet-stream": {}}}},
)
async def open_file_link(token: str, context: Context) -> Response:
    """A file an email or a text message linked to: the signed link is the
    credential, for that one file and until it expires."""

    async def work(uow: UnitOfWork) -> Attachment:
        return await context.links.open(uow, token, utcnow())

    found = await context.db.read(work)
    return file_response(
        context.blobs.read(found.org_id, found.sha256),
        content_type=found.content_type,
        filename=found.filename,
        size=found.size,
    )
