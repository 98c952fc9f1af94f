"""MMS media: the pictures a text carries, fetched from the provider with the
account's credentials and streamed into the blob store under the same limits as
chat uploads. A file that cannot be taken (over the size limit, too many, the
provider would not hand it over) is listed as not retrieved, with the reason;
the text lands either way."""

from __future__ import annotations

import mimetypes
from dataclasses import dataclass, field

import httpx

from caseroom.domain.files import SNIFF_BYTES, StoredFile, clean_filename, sniff_content_type
from caseroom.storage.blobs import BlobStore, StagedBlob

CHUNK = 64 * 1024


@dataclass(frozen=True, slots=True)
class MediaLimits:
    max_file_bytes: int
    max_files: int
    max_filename_chars: int
    timeout: float


@dataclass
class Fetched:
    staged: list[StagedBlob] = field(default_factory=list)
    files: list[StoredFile] = field(default_factory=list)
    not_retrieved: list[str] = field(default_factory=list)  # one line each, with the reason


def _name(index: int, content_type: str, max_chars: int) -> str:
    extension = mimetypes.guess_extension(content_type.split(";")[0].strip()) or ""
    return clean_filename(f"MMS {index + 1}{extension}", max_chars=max_chars)


async def fetch_media(
    store: BlobStore,
    org_id: str,
    media: list[tuple[str, str]],
    *,
    auth: tuple[str, str],
    limits: MediaLimits,
) -> Fetched:
    """Stage each (url, content type) of `media`; the caller keeps or discards the
    staged blobs."""
    fetched = Fetched()
    if not media:
        return fetched
    async with httpx.AsyncClient(auth=auth, follow_redirects=True, timeout=limits.timeout) as http:
        for index, (url, content_type) in enumerate(media):
            name = _name(index, content_type, limits.max_filename_chars)
            if index >= limits.max_files:
                fetched.not_retrieved.append(
                    f"{name}: a message carries at most {limits.max_files} files"
                )
                continue
            try:
                blob = await _stage(http, store, org_id, url, limits.max_file_bytes)
            except _NotTaken as refused:
                fetched.not_retrieved.append(f"{name}: {refused}")
                continue
            fetched.staged.append(blob)
            fetched.files.append(
                StoredFile(name, sniff_content_type(blob.head), blob.size, blob.sha256)
            )
    return fetched


class _NotTaken(Exception):
    pass


async def _stage(
    http: httpx.AsyncClient, store: BlobStore, org_id: str, url: str, max_bytes: int
) -> StagedBlob:
    writer = store.writer(org_id, SNIFF_BYTES)
    try:
        async with http.stream("GET", url) as response:
            if response.status_code != 200:
                raise _NotTaken(f"the provider answered {response.status_code}")
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > max_bytes:
                raise _NotTaken(f"larger than the limit of {max_bytes} bytes per file")
            async for chunk in response.aiter_bytes(CHUNK):
                if writer.size + len(chunk) > max_bytes:
                    raise _NotTaken(f"larger than the limit of {max_bytes} bytes per file")
                await writer.write(chunk)
    except httpx.HTTPError as error:
        await writer.abort()
        raise _NotTaken(f"could not be fetched ({type(error).__name__})") from error
    except BaseException:
        await writer.abort()
        raise
    return await writer.finish()
