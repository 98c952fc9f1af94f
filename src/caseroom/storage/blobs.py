"""The blob store: file contents by organization and SHA-256.

A writer streams bytes into a temporary file while hashing and counting them;
`keep` makes the staged file durable at its content address (fsync, then an
atomic rename, then fsync of the directory), so a reader never sees a partial
file. Storing the same bytes twice keeps one copy per organization."""

from __future__ import annotations

import asyncio
import hashlib
import os
import re
import tempfile
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol

_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_ORG = re.compile(r"^[0-9a-z]{1,32}$")
READ_CHUNK = 256 * 1024


@dataclass(frozen=True, slots=True)
class StagedBlob:
    org_id: str
    sha256: str
    size: int
    head: bytes  # the first bytes, for sniffing the type
    temp_path: Path


class BlobWriter(Protocol):
    @property
    def size(self) -> int: ...

    async def write(self, chunk: bytes) -> None: ...

    async def finish(self) -> StagedBlob: ...

    async def abort(self) -> None: ...


class BlobStore(Protocol):
    def writer(self, org_id: str, head_bytes: int) -> BlobWriter:
        """A writer staging a new blob; `finish` it, then `keep` or `discard` it."""

    async def keep(self, staged: StagedBlob) -> bool:
        """Make a staged blob durable; True if these bytes were not stored before."""

    async def discard(self, staged: StagedBlob) -> None:
        """Drop a staged blob's temporary file (a no-op once it was kept)."""

    async def put(self, org_id: str, data: bytes | BinaryIO) -> tuple[str, int]:
        """Store `data` (bytes, or a file read from where it stands to its end)
        durably; returns (sha256, size)."""

    async def exists(self, org_id: str, sha256: str) -> bool: ...

    async def delete(self, org_id: str, sha256: str) -> None: ...

    def read(self, org_id: str, sha256: str) -> AsyncIterator[bytes]: ...


class LocalBlobStore:
    """Blobs as files under `root`: <org>/<ab>/<cd>/<sha256>, temporary files in tmp/."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._tmp = root / "tmp"

    def path(self, org_id: str, sha256: str) -> Path:
        if not _SHA256.match(sha256) or not _ORG.match(org_id):
            raise ValueError("not a blob address")
        return self.root / org_id / sha256[:2] / sha256[2:4] / sha256

    def writer(self, org_id: str, head_bytes: int) -> _LocalWriter:
        self._tmp.mkdir(parents=True, exist_ok=True)
        return _LocalWriter(self, org_id, head_bytes)

    async def keep(self, staged: StagedBlob) -> bool:
        return await asyncio.to_thread(self._keep, staged)

    def _keep(self, staged: StagedBlob) -> bool:
        target = self.path(staged.org_id, staged.sha256)
        if target.exists():
            staged.temp_path.unlink(missing_ok=True)
            return False
        if not staged.temp_path.exists():
            return False  # kept before (a retried transaction)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(staged.temp_path, target)
        _fsync_dir(target.parent)
        return True

    async def discard(self, staged: StagedBlob) -> None:
        await asyncio.to_thread(staged.temp_path.unlink, missing_ok=True)

    async def put(self, org_id: str, data: bytes | BinaryIO) -> tuple[str, int]:
        writer = self.writer(org_id, 0)
        try:
            if isinstance(data, bytes):
                await writer.write(data)
            else:
                while chunk := await asyncio.to_thread(data.read, READ_CHUNK):
                    await writer.write(chunk)
            staged = await writer.finish()
        except BaseException:
            await writer.abort()
            raise
        await self.keep(staged)
        return staged.sha256, staged.size

    async def exists(self, org_id: str, sha256: str) -> bool:
        return await asyncio.to_thread(self.path(org_id, sha256).exists)

    async def delete(self, org_id: str, sha256: str) -> None:
        await asyncio.to_thread(self.path(org_id, sha256).unlink, missing_ok=True)

    async def read(self, org_id: str, sha256: str) -> AsyncIterator[bytes]:
        handle = await asyncio.to_thread(self.path(org_id, sha256).open, "rb")
        try:
            while chunk := await asyncio.to_thread(handle.read, READ_CHUNK):
                yield chunk
        finally:
            await asyncio.to_thread(handle.close)


class _LocalWriter:
    def __init__(self, store: LocalBlobStore, org_id: str, head_bytes: int) -> None:
        self._store = store
        self._org_id = org_id
        self._head_bytes = head_bytes
        self._head = bytearray()
        self._hash = hashlib.sha256()
        self._size = 0
        descriptor, name = tempfile.mkstemp(dir=store._tmp, prefix="upload-")
        self._file = os.fdopen(descriptor, "wb")
        self._path = Path(name)

    @property
    def size(self) -> int:
        return self._size

    async def write(self, chunk: bytes) -> None:
        if len(self._head) < self._head_bytes:
            self._head += chunk[: self._head_bytes - len(self._head)]
        self._hash.update(chunk)
        self._size += len(chunk)
        await asyncio.to_thread(self._file.write, chunk)

    async def finish(self) -> StagedBlob:
        await asyncio.to_thread(self._flush_and_close)
        return StagedBlob(
            self._org_id, self._hash.hexdigest(), self._size, bytes(self._head), self._path
        )

    def _flush_and_close(self) -> None:
        self._file.flush()
        os.fsync(self._file.fileno())
        self._file.close()

    async def abort(self) -> None:
        await asyncio.to_thread(self._close_and_remove)

    def _close_and_remove(self) -> None:
        self._file.close()
        self._path.unlink(missing_ok=True)


def _fsync_dir(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
