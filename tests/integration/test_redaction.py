"""Redaction patterns and redacting messages through the real API."""

from __future__ import annotations

import httpx

from caseroom.storage.uow import Database
from tests.builders import make_org, note, row_counts, start_chat

CARD = "4111 1111 1111 1111"
PATTERNS = "/api/v1/redaction-patterns"


def redact_url(issue_id: str, message_id: str) -> str:
    return f"/api/v1/issues/{issue_id}/messages/{message_id}/redact"


async def test_a_card_number_is_redacted_everywhere_the_message_is_served(
    client: httpx.AsyncClient, db: Database
) -> None:
    org = await make_org(db)
    chat = await start_chat(client, org, message=f"My card is {CARD}, please refund")
    message_id = chat.first_message["id"]
    redacted = await client.post(
        redact_url(chat.issue_id, message_id), json={}, headers=org.auth(org.ana)
    )
    assert redacted.status_code == 200, redacted.text
    assert redacted.json()["body"] == "My card is [redacted], please refund"
    assert redacted.json()["redacted_at"] is not None

    for headers in (chat.auth, org.auth(org.ben)):
        page = await client.get(
            f"/api/v1/issues/{chat.issue_id}/rooms/public/messages", headers=headers
        )
        assert CARD not in page.text
        issue = await client.get(f"/api/v1/issues/{chat.issue_id}", headers=headers)
        assert CARD not in issue.text  # the subject was taken from this message
    log = await client.get(f"/api/v1/issues/{chat.issue_id}/activity", headers=org.auth(org.ben))
    [entry] = [a for a in log.json() if a["action"] == "message.redacted"]
    assert entry["actor_id"] == org.ana.id and entry["created_at"]
    assert entry["detail"]["message_id"] == message_id
    assert entry["detail"]["patterns"] == ["Card numbers"]
    assert CARD not in log.text


async def test_a_note_s_earlier_texts_are_redacted_too(
    client: httpx.AsyncClient, db: Database
) -> None:
    org = await make_org(db)
    chat = await start_chat(client, org)
    written = await note(client, org.auth(org.ana), chat.issue_id, "door code 4417-22")
    await client.patch(
        f"/api/v1/issues/{chat.issue_id}/messages/{written['id']}",
        json={"body": "door code is in the CRM"},
        headers=org.auth(org.ana),
    )
    redacted = await client.post(
        redact_url(chat.issue_id, written["id"]),
        json={"secrets": ["4417-22"]},
        headers=org.auth(org.ben),
    )
    assert redacted.status_code == 200, redacted.text
    assert redacted.json()["body"] == "door code is in the CRM"
    log = await client.get(f"/api/v1/issues/{chat.issue_id}/activity", headers=org.auth(org.ana))
    assert "4417-22" not in log.text
    [edit] = [a for a in log.json() if a["action"] == "note.edited"]
    assert edit["detail"]["previous_body"] == "door code [redacted]"
    [entry] = [a for a in log.json() if a["action"] == "message.redacted"]
    assert entry["detail"]["patterns"] == ["selected text"]


async def test_organization_patterns_apply_and_are_checked_at_save(
    client: httpx.AsyncClient, db: Database
) -> None:
    org = await make_org(db)
    chat = await start_chat(client, org, message="my passport is P1234567")
    before = await row_counts(db)
    for bad in (r"(a)\1", r"(?<=x)y", "x*", "(", "a" * 501):
        refused = await client.post(
            PATTERNS, json={"name": "bad", "pattern": bad}, headers=org.auth(org.admin)
        )
        assert refused.status_code == 422, bad
    assert (
        await client.post(
            PATTERNS, json={"name": "p", "pattern": "P\\d{7}"}, headers=org.auth(org.ana)
        )
    ).status_code == 403
    assert await row_counts(db) == before

    added = await client.post(
        PATTERNS, json={"name": "Passport", "pattern": r"\bP\d{7}\b"}, headers=org.auth(org.admin)
    )
    assert added.status_code == 201, added.text
    listed = await client.get(PATTERNS, headers=org.auth(org.ana))
    assert [(p["name"], p["builtin"]) for p in listed.json()] == [
        ("Card numbers", True),
        ("Passport", False),
    ]
    redacted = await client.post(
        redact_url(chat.issue_id, chat.first_message["id"]), json={}, headers=org.auth(org.ana)
    )
    assert redacted.json()["body"] == "my passport is [redacted]"
    assert (
        await client.delete(f"{PATTERNS}/card-numbers", headers=org.auth(org.admin))
    ).status_code == 409
    assert (
        await client.delete(f"{PATTERNS}/{added.json()['id']}", headers=org.auth(org.admin))
    ).status_code == 204


async def test_nothing_to_redact_and_who_may_redact(
    client: httpx.AsyncClient, db: Database
) -> None:
    org, other = await make_org(db), await make_org(db)
    chat = await start_chat(client, org, message="nothing secret here")
    message_id = chat.first_message["id"]
    before = await row_counts(db)
    nothing = await client.post(
        redact_url(chat.issue_id, message_id), json={}, headers=org.auth(org.ana)
    )
    assert nothing.status_code == 422
    blank = await client.post(
        redact_url(chat.issue_id, message_id), json={"secrets": [" "]}, headers=org.auth(org.ana)
    )
    assert blank.status_code == 422
    by_customer = await client.post(
        redact_url(chat.issue_id, message_id), json={"secrets": ["secret"]}, headers=chat.auth
    )
    assert by_customer.status_code == 403
    foreign = await client.post(
        redact_url(chat.issue_id, message_id),
        json={"secrets": ["secret"]},
        headers=other.auth(other.admin),
    )
    assert foreign.status_code == 404
    assert (await client.get(PATTERNS, headers=chat.auth)).status_code == 403
    assert await row_counts(db) == before


async def test_an_admin_tries_a_pattern_on_sample_text_and_nothing_is_saved(
    client: httpx.AsyncClient, db: Database
) -> None:
    org = await make_org(db)
    admin = org.auth(org.admin)
    before = await row_counts(db)
    tried = await client.post(
        f"{PATTERNS}/try",
        json={"pattern": r"NW-\d{6}", "sample": "Orders NW-123456 and NW-654321, not NW-12."},
        headers=admin,
    )
    assert tried.status_code == 200, tried.text
    assert tried.json() == {
        "redacted": "Orders [redacted] and [redacted], not NW-12.",
        "matches": ["NW-123456", "NW-654321"],
    }
    for bad in (r"(a)\1", "", ".*"):  # a backreference, nothing, matching the empty text
        refused = await client.post(
            f"{PATTERNS}/try", json={"pattern": bad, "sample": "x"}, headers=admin
        )
        assert refused.status_code == 422, bad
        assert refused.json()["field"] == "pattern"
    as_agent = await client.post(
        f"{PATTERNS}/try", json={"pattern": "x", "sample": "x"}, headers=org.auth(org.ana)
    )
    assert as_agent.status_code == 403
    assert await row_counts(db) == before
