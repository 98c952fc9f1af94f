"""A redaction after transcripts were filed: every filed version that shows the
message is rendered again (same version, same cut-off), the files it replaces
leave the blob store, and the Customer's copy is redacted too."""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable
from typing import Any

import httpx

from caseroom.jobs import job_handlers
from caseroom.jobs.worker import JobWorker
from caseroom.storage.blobs import LocalBlobStore
from caseroom.storage.uow import Database
from tests.builders import (
    Org,
    claim_and_resolve,
    make_org,
    note,
    redact,
    send,
    settle,
    start_chat,
)
from tests.integration.test_transcript_jobs import FailingStore
from tests.integration.test_transcripts_api import files_of, in_order, pdf_text

CARD = "4111 1111 1111 1111"  # passes the Luhn check
SECRET = "tulip-9981"  # what the agent selects to redact

Key = tuple[int, str, str]  # (version, room, format)


def text_of(content: bytes) -> str:
    return pdf_text(content) if content.startswith(b"%PDF") else content.decode()


async def filed(client: httpx.AsyncClient, org: Org, issue_id: str) -> dict[Key, Any]:
    """Every filed transcript by (version, room, format): its listing and its bytes."""
    found = {}
    for item in await files_of(client, org, issue_id):
        response = await client.get(str(item["download_path"]), headers=org.auth(org.ana))
        assert response.status_code == 200, response.text
        found[(item["version"], item["room"], item["format"])] = (item, response.content)
    return found


def blobs_of(client: httpx.AsyncClient) -> LocalBlobStore:
    store: LocalBlobStore = client.app.state.context.blobs  # type: ignore[attr-defined]
    return store


def stored_texts(client: httpx.AsyncClient, org: Org) -> list[str]:
    """The text of every file the blob store keeps for the organization."""
    folder = blobs_of(client).root / org.org.id
    return [text_of(path.read_bytes()) for path in folder.rglob("*") if path.is_file()]


async def activity(client: httpx.AsyncClient, org: Org, issue_id: str) -> httpx.Response:
    response = await client.get(f"/api/v1/issues/{issue_id}/activity", headers=org.auth(org.ben))
    assert response.status_code == 200, response.text
    return response


def sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


async def test_a_redaction_renders_again_every_filed_version_that_shows_the_message(
    client: httpx.AsyncClient, db: Database
) -> None:
    org = await make_org(db)
    agent = org.auth(org.ana)
    chat = await start_chat(client, org, message="My parcel never arrived")
    await client.post(f"/api/v1/issues/{chat.issue_id}/claim", headers=agent)
    sent = await send(client, chat.auth, chat.issue_id, body=f"Card {CARD}, code {SECRET}")
    await send(client, agent, chat.issue_id, body="Thanks, refunding now.")
    await send(client, agent, chat.issue_id, "private", "Refund approved by finance")
    await claim_and_resolve(client, org, chat.issue_id)
    reopened = await send(client, chat.auth, chat.issue_id, body="Still nothing, sorry")
    assert reopened.status_code == 201
    await claim_and_resolve(client, org, chat.issue_id)

    before = await filed(client, org, chat.issue_id)
    assert len(before) == 8
    for (_, room, _), (_, content) in before.items():
        # Filing applied the card pattern; the selected secret is what stayed behind.
        assert CARD not in text_of(content)
        assert (SECRET in text_of(content)) is (room == "public")

    await redact(client, agent, chat.issue_id, sent.json()["id"], [SECRET])
    await settle(client)

    after = await filed(client, org, chat.issue_id)
    assert after.keys() == before.keys()
    store = blobs_of(client)
    for key, (item, content) in after.items():
        old_item, old_content = before[key]
        assert (item["id"], item["filename"]) == (old_item["id"], old_item["filename"])
        assert item["size"] == len(content)
        if key[1] == "private":  # does not show the message: left as filed
            assert content == old_content
            assert await store.exists(org.org.id, sha256(old_content))
            continue
        text = text_of(content)
        assert SECRET not in text and CARD not in text
        assert in_order(
            text,
            "My parcel never arrived",
            "Card [redacted], code [redacted]",
            "Thanks, refunding now.",
        )
        # Same version, same cut-off: v1 still ends where its resolution did.
        assert ("Still nothing, sorry" in text) is (key[0] == 2)
        assert not await store.exists(org.org.id, sha256(old_content))
    assert not any(SECRET in text for text in stored_texts(client, org))

    log = await activity(client, org, chat.issue_id)
    [entry] = [e for e in log.json() if e["action"] == "transcripts.rerendered"]
    assert entry["detail"]["versions"] == [1, 2]
    assert entry["detail"]["rooms"] == ["public"]
    assert entry["detail"]["message_id"] == sent.json()["id"]
    assert SECRET not in log.text and CARD not in log.text

    for fmt in ("pdf", "html"):
        copy = await client.get(
            f"/api/v1/issues/{chat.issue_id}/transcript", params={"format": fmt}, headers=chat.auth
        )
        assert copy.status_code == 200, copy.text
        text = text_of(copy.content)
        assert SECRET not in text and CARD not in text
        assert "Card [redacted], code [redacted]" in text and "Still nothing, sorry" in text


async def test_a_version_cut_off_before_the_message_is_left_as_filed(
    client: httpx.AsyncClient, db: Database
) -> None:
    org = await make_org(db)
    agent = org.auth(org.ana)
    chat = await start_chat(client, org, message="Where is my order?")
    await claim_and_resolve(client, org, chat.issue_id)
    later = await send(client, chat.auth, chat.issue_id, body=f"It is order {SECRET}")
    await claim_and_resolve(client, org, chat.issue_id)
    before = await filed(client, org, chat.issue_id)

    await redact(client, agent, chat.issue_id, later.json()["id"], [SECRET])
    await settle(client)

    after = await filed(client, org, chat.issue_id)
    changed = sorted(key for key in after if after[key][1] != before[key][1])
    assert changed == [(2, "public", "html"), (2, "public", "pdf")]
    assert "It is order [redacted]" in text_of(after[(2, "public", "pdf")][1])
    assert not any(SECRET in text for text in stored_texts(client, org))


async def test_a_secret_in_the_subject_is_removed_from_every_room_s_transcript(
    client: httpx.AsyncClient, db: Database
) -> None:
    org = await make_org(db)
    chat = await start_chat(client, org, message=f"Locker {SECRET} is empty")
    await claim_and_resolve(client, org, chat.issue_id)
    before = await filed(client, org, chat.issue_id)
    assert SECRET in text_of(before[(1, "private", "pdf")][1])  # the subject heads both rooms

    await redact(client, org.auth(org.ana), chat.issue_id, chat.first_message["id"], [SECRET])
    await settle(client)

    after = await filed(client, org, chat.issue_id)
    for key, (_, content) in after.items():
        assert content != before[key][1]
        assert "Locker [redacted] is empty" in text_of(content)
    assert not any(SECRET in text for text in stored_texts(client, org))


async def test_a_re_rendered_version_shows_notes_as_they_stood_at_its_resolution(
    client: httpx.AsyncClient, db: Database
) -> None:
    org = await make_org(db)
    agent = org.auth(org.ana)
    chat = await start_chat(client, org)
    gate = await note(client, agent, chat.issue_id, f"gate code {SECRET}")
    photos = await note(client, agent, chat.issue_id, "ask the courier for photos")
    await claim_and_resolve(client, org, chat.issue_id)
    # After the resolution, one note is edited and the other deleted.
    edited = await client.patch(
        f"/api/v1/issues/{chat.issue_id}/messages/{gate['id']}",
        json={"body": "gate code is in the CRM"},
        headers=agent,
    )
    assert edited.status_code == 200, edited.text
    deleted = await client.delete(
        f"/api/v1/issues/{chat.issue_id}/messages/{photos['id']}", headers=agent
    )
    assert deleted.status_code == 204

    await redact(client, agent, chat.issue_id, gate["id"], [SECRET])
    await settle(client)

    text = text_of((await filed(client, org, chat.issue_id))[(1, "private", "pdf")][1])
    assert in_order(text, "gate code [redacted]", "ask the courier for photos")
    assert "gate code is in the CRM" not in text
    assert not any(SECRET in text for text in stored_texts(client, org))


async def test_a_redaction_that_overtakes_the_filing_job_is_caught_up(
    client: httpx.AsyncClient, db: Database, settings: Any
) -> None:
    """The redaction commits while the filing job is between reading the rooms and
    recording its files: the job files what it read, then has it rendered again."""
    org = await make_org(db)
    agent = org.auth(org.ana)
    context = client.app.state.context  # type: ignore[attr-defined]
    await context.worker.stop()
    chat = await start_chat(client, org, message="Where is my parcel?")
    sent = await send(client, chat.auth, chat.issue_id, body=f"The code is {SECRET}")
    await claim_and_resolve_later(client, org, chat.issue_id)

    async def redact_now() -> None:
        await redact(client, agent, chat.issue_id, sent.json()["id"], [SECRET])

    store = HookedStore(context.blobs, redact_now)
    worker = JobWorker(
        context.db, job_handlers(context.db, store, settings.transcript_font_dir), settings
    )
    while await worker.run_due():  # the filing, then what it scheduled
        pass

    files = await filed(client, org, chat.issue_id)
    assert len(files) == 4
    assert "The code is [redacted]" in text_of(files[(1, "public", "pdf")][1])
    assert not any(SECRET in text for text in stored_texts(client, org))
    log = (await activity(client, org, chat.issue_id)).json()
    [entry] = [e for e in log if e["action"] == "transcripts.rerendered"]
    assert entry["detail"]["versions"] == [1] and entry["detail"]["message_id"] is None


async def claim_and_resolve_later(client: httpx.AsyncClient, org: Org, issue_id: str) -> None:
    """Claim and resolve without waiting for the transcripts (the worker is stopped)."""
    for action in ("claim", "resolve"):
        done = await client.post(f"/api/v1/issues/{issue_id}/{action}", headers=org.auth(org.ana))
        assert done.status_code == 200, done.text


class HookedStore(FailingStore):
    """The real blob store, running `hook` once, just before the first write."""

    def __init__(self, inner: Any, hook: Callable[[], Awaitable[None]]) -> None:
        super().__init__(inner, "", 0)
        self._hook: Callable[[], Awaitable[None]] | None = hook

    async def put(self, org_id: str, data: bytes) -> tuple[str, int]:
        if self._hook is not None:
            hook, self._hook = self._hook, None
            await hook()
        return await super().put(org_id, data)
