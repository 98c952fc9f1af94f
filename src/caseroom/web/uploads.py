"""Receiving files: a multipart body parsed as it streams in, each file written
straight into the blob store's staging area while it is hashed and counted, so
no file is ever held whole in memory and a breach is refused the moment it
happens. A refused or failed upload leaves no blob and no row behind."""

from __future__ import annotations

from dataclasses import dataclass, field

from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.requests import Request

from caseroom.domain.errors import InvalidInput, TooLarge
from caseroom.domain.files import SNIFF_BYTES
from caseroom.storage.blobs import BlobStore, BlobWriter, StagedBlob

FILE_FIELD = "files"
TEXT_FIELDS = frozenset({"body", "kind", "channel", "idempotency_key"})


@dataclass(frozen=True, slots=True)
class UploadLimits:
    max_file_bytes: int
    max_files: int
    max_field_bytes: int


@dataclass
class Received:
    fields: dict[str, str] = field(default_factory=dict)
    files: list[tuple[str, StagedBlob]] = field(default_factory=list)  # (client's name, blob)


@dataclass
class _Part:
    headers: dict[str, bytes] = field(default_factory=dict)
    name: str = ""
    filename: str | None = None
    text: bytearray = field(default_factory=bytearray)
    writer: BlobWriter | None = None


class _Receiver:
    def __init__(self, store: BlobStore, org_id: str, limits: UploadLimits) -> None:
        self.store = store
        self.org_id = org_id
        self.limits = limits
        self.received = Received()
        self.pending: list[tuple[str, bytes]] = []  # parser callbacks, handled async
        self.part = _Part()
        self.header_field = bytearray()
        self.header_value = bytearray()

    def callbacks(self) -> dict[str, object]:
        def data(kind: str) -> object:
            return lambda buf, start, end: self.pending.append((kind, bytes(buf[start:end])))

        def mark(kind: str) -> object:
            return lambda: self.pending.append((kind, b""))

        return {
            "on_part_begin": mark("part_begin"),
            "on_part_data": data("part_data"),
            "on_part_end": mark("part_end"),
            "on_header_field": data("header_field"),
            "on_header_value": data("header_value"),
            "on_header_end": mark("header_end"),
            "on_headers_finished": mark("headers_finished"),
        }

    async def handle_pending(self) -> None:
        events, self.pending = self.pending, []
        for kind, data in events:
            if kind == "part_begin":
                self.part = _Part()
            elif kind == "header_field":
                self.header_field += data
            elif kind == "header_value":
                self.header_value += data
            elif kind == "header_end":
                self.part.headers[bytes(self.header_field).decode("latin-1").lower()] = bytes(
                    self.header_value
                )
                self.header_field, self.header_value = bytearray(), bytearray()
            elif kind == "headers_finished":
                self._begin_part()
            elif kind == "part_data":
                await self._part_data(data)
            elif kind == "part_end":
                await self._end_part()

    def _begin_part(self) -> None:
        disposition = self.part.headers.get("content-disposition", b"")
        _, options = parse_options_header(disposition)
        name = options.get(b"name", b"").decode("utf-8", "replace")
        filename = options.get(b"filename")
        self.part.name = name
        if name == FILE_FIELD:
            if len(self.received.files) >= self.limits.max_files:
                raise InvalidInput(
                    f"a message carries at most {self.limits.max_files} files",
                    field=FILE_FIELD,
                    limit=self.limits.max_files,
                )
            self.part.filename = filename.decode("utf-8", "replace") if filename else ""
            self.part.writer = self.store.writer(self.org_id, SNIFF_BYTES)
        elif name not in TEXT_FIELDS or filename is not None:
            allowed = ", ".join(sorted({*TEXT_FIELDS, FILE_FIELD}))
            raise InvalidInput(f"unexpected form field {name!r} (allowed: {allowed})", field=name)
        elif name in self.received.fields:
            raise InvalidInput(f"form field {name!r} given twice", field=name)

    async def _part_data(self, data: bytes) -> None:
        writer = self.part.writer
        if writer is None:
            if len(self.part.text) + len(data) > self.limits.max_field_bytes:
                raise TooLarge(
                    f"form field {self.part.name!r} is larger than "
                    f"{self.limits.max_field_bytes} bytes",
                    field=self.part.name,
                    limit=self.limits.max_field_bytes,
                )
            self.part.text += data
            return
        if writer.size + len(data) > self.limits.max_file_bytes:
            raise TooLarge(
                f"{self.part.filename or 'a file'} is larger than the limit of "
                f"{self.limits.max_file_bytes} bytes per file",
                field=FILE_FIELD,
                limit=self.limits.max_file_bytes,
            )
        await writer.write(data)

    async def _end_part(self) -> None:
        writer = self.part.writer
        if writer is None:
            try:
                self.received.fields[self.part.name] = self.part.text.decode("utf-8")
            except UnicodeDecodeError as error:
                raise InvalidInput(
                    f"form field {self.part.name!r} is not UTF-8", field=self.part.name
                ) from error
            return
        self.part.writer = None
        staged = await writer.finish()
        self.received.files.append((self.part.filename or "", staged))

    async def abandon(self) -> None:
        if self.part.writer is not None:
            await self.part.writer.abort()
        for _, staged in self.received.files:
            await self.store.discard(staged)


def _boundary(request: Request) -> bytes:
    content_type, options = parse_options_header(request.headers.get("content-type", ""))
    boundary = options.get(b"boundary")
    if content_type != b"multipart/form-data" or not boundary:
        raise InvalidInput("send the files as multipart/form-data", field="content-type")
    return boundary


async def receive_upload(
    request: Request, store: BlobStore, org_id: str, limits: UploadLimits
) -> Received:
    """Parse the multipart body, staging each file in the blob store. On any error
    every staged file is discarded before the error propagates."""
    receiver = _Receiver(store, org_id, limits)
    parser = MultipartParser(_boundary(request), receiver.callbacks())  # type: ignore[arg-type]
    try:
        async for chunk in request.stream():
            _feed(parser, chunk)
            await receiver.handle_pending()
        _feed(parser, None)
        await receiver.handle_pending()
        if receiver.part.writer is not None:
            raise InvalidInput("the multipart body ended in the middle of a file")
    except BaseException:
        await receiver.abandon()
        raise
    return receiver.received


def _feed(parser: MultipartParser, chunk: bytes | None) -> None:
    try:
        if chunk is None:
            parser.finalize()
        else:
            parser.write(chunk)
    except MultipartParseError as error:
        raise InvalidInput(f"malformed multipart body: {error}", field="content-type") from error
