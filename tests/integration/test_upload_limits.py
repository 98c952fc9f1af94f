"""Upload limits: a breach is refused with the limit in the problem, and leaves
no blob and no row behind. Small limits here so the tests stay quick."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from caseroom.config import Settings
from caseroom.storage.uow import Database
from tests.builders import key, make_org, row_counts, start_chat, upload
from tests.integration.test_attachments_api import PNG, blob_files

MAX_FILE = 4096


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(
        database_url=database_url,
        data_dir=tmp_path / "data",
        max_file_bytes=MAX_FILE,
        max_files_per_message=3,
    )


async def _nothing_stored(client: httpx.AsyncClient, issue_id: str, auth: dict[str, str]) -> None:
    view = await client.get(f"/api/v1/issues/{issue_id}/attachments", headers=auth)
    assert view.json()["items"] == []
    page = await client.get(f"/api/v1/issues/{issue_id}/rooms/public/messages", headers=auth)
    assert [m["body"] for m in page.json()["items"]] == ["Hello, I need help with my order."]


async def test_limits_endpoint_reports_the_configured_limits(client: httpx.AsyncClient) -> None:
    limits = (await client.get("/api/v1/limits")).json()
    assert (limits["max_file_bytes"], limits["max_files_per_message"]) == (MAX_FILE, 3)


async def test_an_oversize_file_is_refused_and_nothing_remains(
    client: httpx.AsyncClient, db: Database, settings: Settings
) -> None:
    org = await make_org(db)
    chat = await start_chat(client, org)
    files = [("small.png", PNG), ("big.bin", b"\x00" * (MAX_FILE + 1))]
    rows = await row_counts(db)
    refused = await upload(client, chat.auth, chat.issue_id, files, body="two files")
    assert await row_counts(db) == rows
    assert refused.status_code == 413
    problem = refused.json()
    assert problem["limit"] == MAX_FILE
    assert "big.bin" in problem["detail"]
    assert blob_files(settings) == []
    await _nothing_stored(client, chat.issue_id, chat.auth)

    exact = await upload(client, chat.auth, chat.issue_id, [("edge.bin", b"\x01" * MAX_FILE)])
    assert exact.status_code == 201


async def test_too_many_files_are_refused_and_nothing_remains(
    client: httpx.AsyncClient, db: Database, settings: Settings
) -> None:
    org = await make_org(db)
    chat = await start_chat(client, org)
    files = [(f"{n}.png", PNG + bytes([n])) for n in range(4)]
    rows = await row_counts(db)
    refused = await upload(client, org.auth(org.ana), chat.issue_id, files)
    assert await row_counts(db) == rows
    assert refused.status_code == 422
    assert refused.json()["limit"] == 3
    assert blob_files(settings) == []
    await _nothing_stored(client, chat.issue_id, chat.auth)


async def test_a_request_over_the_upload_cap_is_refused_before_it_is_read(
    client: httpx.AsyncClient, db: Database, settings: Settings
) -> None:
    org = await make_org(db)
    chat = await start_chat(client, org)
    cap = settings.max_upload_request_bytes
    body = b"--x\r\n" + b"a" * (cap + 10)
    refused = await client.post(
        f"/api/v1/issues/{chat.issue_id}/rooms/public/attachments",
        content=body,
        headers={**chat.auth, "content-type": "multipart/form-data; boundary=x"},
    )
    assert refused.status_code == 413
    assert refused.json()["limit"] == cap
    assert blob_files(settings) == []


async def test_a_file_over_the_limit_without_content_length_is_cut_off(
    client: httpx.AsyncClient, db: Database, settings: Settings
) -> None:
    """Streamed in chunks with no declared length: counted as it arrives."""
    org = await make_org(db)
    chat = await start_chat(client, org)
    boundary = "b0undary"

    async def body():  # type: ignore[no-untyped-def]
        yield (
            f'--{boundary}\r\nContent-Disposition: form-data; name="idempotency_key"\r\n\r\n'
            f'{key()}\r\n--{boundary}\r\nContent-Disposition: form-data; name="files"; '
            f'filename="stream.bin"\r\nContent-Type: application/octet-stream\r\n\r\n'
        ).encode()
        for _ in range(MAX_FILE // 512 + 2):
            yield b"z" * 512
        yield f"\r\n--{boundary}--\r\n".encode()

    rows = await row_counts(db)
    refused = await client.post(
        f"/api/v1/issues/{chat.issue_id}/rooms/public/attachments",
        content=body(),
        headers={**chat.auth, "content-type": f"multipart/form-data; boundary={boundary}"},
    )
    assert refused.status_code == 413
    assert refused.json()["limit"] == MAX_FILE
    assert await row_counts(db) == rows
    assert blob_files(settings) == []
    await _nothing_stored(client, chat.issue_id, chat.auth)


async def test_a_failed_send_removes_the_blobs_it_stored(
    client: httpx.AsyncClient, db: Database, settings: Settings
) -> None:
    """The files arrive intact but the message is refused (text over its limit)."""
    org = await make_org(db)
    chat = await start_chat(client, org)
    too_long = "x" * (settings.max_message_chars + 1)
    rows = await row_counts(db)
    refused = await upload(client, chat.auth, chat.issue_id, [("a.png", PNG)], body=too_long)
    assert await row_counts(db) == rows
    assert refused.status_code == 422
    assert blob_files(settings) == []
    await _nothing_stored(client, chat.issue_id, chat.auth)
