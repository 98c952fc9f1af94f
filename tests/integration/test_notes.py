"""Editing and deleting log notes through the real API."""

from __future__ import annotations

import httpx

from caseroom.storage.uow import Database
from tests.builders import make_org, note, row_counts, send, start_chat


def note_url(issue_id: str, message_id: str) -> str:
    return f"/api/v1/issues/{issue_id}/messages/{message_id}"


async def room(client: httpx.AsyncClient, headers: dict[str, str], issue_id: str, name: str):
    response = await client.get(f"/api/v1/issues/{issue_id}/rooms/{name}/messages", headers=headers)
    assert response.status_code == 200, response.text
    return response.json()["items"]


async def test_the_author_edits_a_note_and_the_old_text_stays_in_the_log(
    client: httpx.AsyncClient, db: Database
) -> None:
    org = await make_org(db)
    chat = await start_chat(client, org)
    written = await note(client, org.auth(org.ana), chat.issue_id, "call back at 3", "public")

    edited = await client.patch(
        note_url(chat.issue_id, written["id"]),
        json={"body": "call back at 4"},
        headers=org.auth(org.ana),
    )
    assert edited.status_code == 200, edited.text
    assert edited.json()["body"] == "call back at 4"
    assert edited.json()["edited_at"] is not None
    assert edited.json()["change_seq"] == 1

    [reread] = [
        m
        for m in await room(client, org.auth(org.ben), chat.issue_id, "public")
        if m["id"] == written["id"]
    ]
    assert (reread["body"], reread["seq"]) == ("call back at 4", written["seq"])
    log = await client.get(f"/api/v1/issues/{chat.issue_id}/activity", headers=org.auth(org.ben))
    [entry] = [a for a in log.json() if a["action"] == "note.edited"]
    assert entry["detail"]["previous_body"] == "call back at 3"
    assert entry["actor_id"] == org.ana.id

    changes = await client.get(
        f"/api/v1/issues/{chat.issue_id}/rooms/public/changes?after=0", headers=org.auth(org.ben)
    )
    assert [m["body"] for m in changes.json()["items"]] == ["call back at 4"]
    later = await client.get(
        f"/api/v1/issues/{chat.issue_id}/rooms/public/changes?after=1", headers=org.auth(org.ben)
    )
    assert later.json()["items"] == []


async def test_deleting_leaves_a_tombstone_and_the_text_in_the_log(
    client: httpx.AsyncClient, db: Database
) -> None:
    org = await make_org(db)
    chat = await start_chat(client, org)
    written = await note(client, org.auth(org.ana), chat.issue_id, "temporary thought")
    deleted = await client.delete(note_url(chat.issue_id, written["id"]), headers=org.auth(org.ana))
    assert deleted.status_code == 204
    [tombstone] = await room(client, org.auth(org.ana), chat.issue_id, "private")
    assert tombstone["body"] == "" and tombstone["deleted_at"] is not None
    log = await client.get(f"/api/v1/issues/{chat.issue_id}/activity", headers=org.auth(org.ana))
    assert [a["detail"]["body"] for a in log.json() if a["action"] == "note.deleted"] == [
        "temporary thought"
    ]
    again = await client.patch(
        note_url(chat.issue_id, written["id"]), json={"body": "x"}, headers=org.auth(org.ana)
    )
    assert again.status_code == 409


async def test_only_the_author_or_an_admin_changes_a_note(
    client: httpx.AsyncClient, db: Database
) -> None:
    org = await make_org(db)
    chat = await start_chat(client, org)
    written = await note(client, org.auth(org.ana), chat.issue_id, "mine")
    before = await row_counts(db)
    refused = await client.patch(
        note_url(chat.issue_id, written["id"]), json={"body": "yours"}, headers=org.auth(org.ben)
    )
    assert refused.status_code == 403
    assert refused.headers["content-type"] == "application/problem+json"
    assert (
        await client.delete(note_url(chat.issue_id, written["id"]), headers=org.auth(org.ben))
    ).status_code == 403
    assert await row_counts(db) == before
    by_admin = await client.patch(
        note_url(chat.issue_id, written["id"]), json={"body": "fixed"}, headers=org.auth(org.admin)
    )
    assert by_admin.status_code == 200


async def test_messages_are_not_notes_and_bad_edits_change_nothing(
    client: httpx.AsyncClient, db: Database
) -> None:
    org = await make_org(db)
    chat = await start_chat(client, org)
    reply = (await send(client, org.auth(org.ana), chat.issue_id, body="hi")).json()
    written = await note(client, org.auth(org.ana), chat.issue_id, "a note")
    before = await row_counts(db)
    assert (
        await client.patch(
            note_url(chat.issue_id, reply["id"]),
            json={"body": "rewritten"},
            headers=org.auth(org.ana),
        )
    ).status_code == 409
    assert (
        await client.patch(
            note_url(chat.issue_id, written["id"]), json={"body": "   "}, headers=org.auth(org.ana)
        )
    ).status_code == 422
    assert (
        await client.patch(
            note_url(chat.issue_id, "nope"), json={"body": "x"}, headers=org.auth(org.ana)
        )
    ).status_code == 404
    assert await row_counts(db) == before
    assert [m["body"] for m in await room(client, org.auth(org.ana), chat.issue_id, "private")] == [
        "a note"
    ]


async def test_customers_never_see_notes_their_edits_or_the_change_feed(
    client: httpx.AsyncClient, db: Database
) -> None:
    org, other = await make_org(db), await make_org(db)
    chat = await start_chat(client, org)
    public_note = await note(client, org.auth(org.ana), chat.issue_id, "secret plan", "public")
    await client.patch(
        note_url(chat.issue_id, public_note["id"]),
        json={"body": "new plan"},
        headers=org.auth(org.ana),
    )
    bodies = [m["body"] for m in await room(client, chat.auth, chat.issue_id, "public")]
    assert "secret plan" not in bodies and "new plan" not in bodies
    for verb in ("patch", "delete"):
        kwargs = {"json": {"body": "x"}} if verb == "patch" else {}
        response = await getattr(client, verb)(
            note_url(chat.issue_id, public_note["id"]), headers=chat.auth, **kwargs
        )
        assert response.status_code == 404, verb
    changes = await client.get(
        f"/api/v1/issues/{chat.issue_id}/rooms/public/changes", headers=chat.auth
    )
    assert changes.status_code == 403
    # Another organization's agent cannot reach the note either.
    foreign = await client.patch(
        note_url(chat.issue_id, public_note["id"]),
        json={"body": "x"},
        headers=other.auth(other.admin),
    )
    assert foreign.status_code == 404
