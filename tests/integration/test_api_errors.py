"""Bad input on every endpoint family: the right 4xx, a problem+json body, and
nothing written."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from caseroom.storage.uow import Database
from tests.builders import Org, key, make_org, row_counts, send, start_chat

PROBLEM = "application/problem+json"


def assert_problem(
    response: httpx.Response, status: int, code: str | None = None
) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body = response.json()
    assert body["status"] == status and body["title"] and body["detail"]
    assert body["type"].startswith("https://caseroom.dev/problems/")
    if code:
        assert body["type"].endswith("/" + code)
    return body


@pytest.fixture
async def org(db: Database) -> Org:
    return await make_org(db)


async def refused_without_writes(db: Database, request, status: int, code: str | None = None):  # type: ignore[no-untyped-def]
    before = await row_counts(db)
    body = assert_problem(await request(), status, code)
    after = await row_counts(db)
    assert after == before, "a refused request changed the database"
    return body


async def test_malformed_json_is_a_400(client: httpx.AsyncClient, db: Database, org: Org) -> None:
    chat = await start_chat(client, org)
    for url, headers in (
        (f"/api/v1/organizations/{org.slug}/conversations", {}),
        (f"/api/v1/issues/{chat.issue_id}/rooms/public/messages", org.auth(org.ana)),
        ("/api/v1/auth/login", {}),
    ):
        await refused_without_writes(
            db,
            lambda url=url, headers=headers: client.post(
                url,
                content=b'{"body": "unterminated',
                headers={**headers, "content-type": "application/json"},
            ),
            400,
            "malformed-json",
        )


async def test_unknown_and_missing_fields_are_422_naming_the_field(
    client: httpx.AsyncClient, db: Database, org: Org
) -> None:
    chat = await start_chat(client, org)
    url = f"/api/v1/issues/{chat.issue_id}/rooms/public/messages"
    body = await refused_without_writes(
        db,
        lambda: client.post(
            url,
            json={"body": "x", "idempotency_key": key(), "colour": "red"},
            headers=org.auth(org.ana),
        ),
        422,
        "validation-failed",
    )
    assert "colour" in body["detail"]
    body = await refused_without_writes(
        db, lambda: client.post(url, json={"body": "x"}, headers=org.auth(org.ana)), 422
    )
    assert "idempotency_key" in body["detail"]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"name": "Casey", "message": "hi"}, "email"),
        ({"name": "Casey", "email": "not-an-address", "message": "hi"}, "email"),
        ({"name": "Casey", "phone": "12", "message": "hi"}, "phone"),
        ({"name": "  ", "email": "c@c.example", "message": "hi"}, "name"),
        ({"name": "Casey", "email": "c@c.example", "message": "   "}, "message"),
        ({"name": "Casey\x00", "email": "c@c.example", "message": "hi"}, "name"),
    ],
)
async def test_a_bad_conversation_start_names_the_field_and_writes_nothing(
    client: httpx.AsyncClient, db: Database, org: Org, payload: dict[str, str], field: str
) -> None:
    url = f"/api/v1/organizations/{org.slug}/conversations"
    body = await refused_without_writes(db, lambda: client.post(url, json=payload), 422)
    assert body.get("field") == field or field in body["detail"]


async def test_a_message_body_over_the_limit_is_refused(
    client: httpx.AsyncClient, db: Database, org: Org
) -> None:
    chat = await start_chat(client, org)
    limit = client.app.state.context.settings.max_message_chars  # type: ignore[attr-defined]
    body = await refused_without_writes(
        db, lambda: send(client, org.auth(org.ana), chat.issue_id, body="x" * (limit + 1)), 422
    )
    assert body["limit"] == limit


async def test_an_oversize_body_is_413_whether_or_not_it_is_announced(
    client: httpx.AsyncClient, db: Database, org: Org
) -> None:
    chat = await start_chat(client, org)
    limit = client.app.state.context.settings.max_request_bytes  # type: ignore[attr-defined]
    url = f"/api/v1/issues/{chat.issue_id}/rooms/public/messages"
    huge = b'{"body": "' + b"x" * (limit + 10) + b'", "idempotency_key": "abcdefgh12"}'

    async def chunks():  # type: ignore[no-untyped-def]
        for start in range(0, len(huge), 65536):
            yield huge[start : start + 65536]

    headers = {**org.auth(org.ana), "content-type": "application/json"}
    await refused_without_writes(db, lambda: client.post(url, content=huge, headers=headers), 413)
    body = await refused_without_writes(
        db, lambda: client.post(url, content=chunks(), headers=headers), 413, "too-large"
    )
    assert body["limit"] == limit


async def test_missing_or_wrong_credentials_are_401(
    client: httpx.AsyncClient, db: Database, org: Org
) -> None:
    chat = await start_chat(client, org)
    url = f"/api/v1/issues/{chat.issue_id}/rooms/public/messages"
    for headers in (
        {},
        {"Authorization": "Bearer crs_not-a-real-token"},
        {"Authorization": "Basic eDp5"},
    ):
        response = await refused_without_writes(
            db,
            lambda headers=headers: client.post(
                url, json={"body": "x", "idempotency_key": key()}, headers=headers
            ),
            401,
        )
        assert response["type"].endswith("not-authenticated")
    wrong = await client.post(
        "/api/v1/auth/login", json={"email": org.ana.email, "password": "nope"}
    )
    assert_problem(wrong, 401)


async def test_unknown_ids_are_404_and_other_tenants_look_the_same(
    client: httpx.AsyncClient, db: Database, org: Org
) -> None:
    other = await make_org(db)
    theirs = await start_chat(client, other)
    ana = org.auth(org.ana)
    for issue_id in ("01nonexistent0000000000000", theirs.issue_id):
        missing = [
            await client.get(f"/api/v1/issues/{issue_id}", headers=ana),
            await client.get(f"/api/v1/issues/{issue_id}/rooms/public/messages", headers=ana),
            await client.post(f"/api/v1/issues/{issue_id}/claim", headers=ana),
            await send(client, ana, issue_id),
        ]
        bodies = [assert_problem(r, 404, "not-found") for r in missing]
        assert all(b["detail"] == "no such Issue" for b in bodies)
    assert_problem(
        await client.post(
            f"/api/v1/organizations/no-such-org-{key()}/conversations",
            json={"name": "C", "email": "c@c.example", "message": "hi"},
        ),
        404,
    )
    assert_problem(await client.get("/api/v1/nowhere", headers=ana), 404)


async def test_illegal_transitions_are_409_and_change_nothing(
    client: httpx.AsyncClient, db: Database, org: Org
) -> None:
    chat = await start_chat(client, org)
    ana = org.auth(org.ana)
    for action in ("resolve", "reopen", "close"):
        body = await refused_without_writes(
            db,
            lambda action=action: client.post(
                f"/api/v1/issues/{chat.issue_id}/{action}", headers=ana
            ),
            409,
            "illegal-transition",
        )
        assert body["status"] == 409 and "unclaimed" in body["detail"]
    await client.post(f"/api/v1/issues/{chat.issue_id}/claim", headers=ana)
    await refused_without_writes(
        db,
        lambda: client.post(f"/api/v1/issues/{chat.issue_id}/claim", headers=org.auth(org.ben)),
        409,
    )


async def test_customers_and_non_admins_are_forbidden_agent_actions(
    client: httpx.AsyncClient, db: Database, org: Org
) -> None:
    chat = await start_chat(client, org)
    for action in ("claim", "resolve", "cancel"):
        await refused_without_writes(
            db,
            lambda action=action: client.post(
                f"/api/v1/issues/{chat.issue_id}/{action}", headers=chat.auth
            ),
            403,
        )
    await refused_without_writes(
        db,
        lambda: client.post("/api/v1/tokens", json={"name": "ci"}, headers=org.auth(org.ana)),
        403,
    )
    await refused_without_writes(
        db, lambda: send(client, chat.auth, chat.issue_id, kind="note"), 403
    )


async def test_query_parameters_are_checked(
    client: httpx.AsyncClient, db: Database, org: Org
) -> None:
    chat = await start_chat(client, org)
    ana = org.auth(org.ana)
    base = f"/api/v1/issues/{chat.issue_id}/rooms/public/messages"
    assert_problem(await client.get(base + "?after=-1", headers=ana), 422)
    assert_problem(await client.get(base + "?after=1&before=5", headers=ana), 422)
    assert_problem(await client.get(base.replace("public", "attic"), headers=ana), 422)
    assert_problem(await client.get("/api/v1/issues?queue=everything", headers=ana), 422)
    assert_problem(
        await client.post(f"/api/v1/issues/{chat.issue_id}/assign", json={}, headers=ana), 422
    )
    assert_problem(await client.delete(f"/api/v1/issues/{chat.issue_id}/claim", headers=ana), 405)


async def test_browser_sessions_need_the_csrf_token_for_changes(
    client: httpx.AsyncClient, db: Database, org: Org
) -> None:
    from tests.builders import PASSWORD

    login = await client.post(
        "/api/v1/auth/login", json={"email": org.ana.email, "password": PASSWORD}
    )
    assert login.status_code == 200
    csrf = login.json()["csrf_token"]
    chat = await start_chat(client, org)
    client.headers.pop("Authorization", None)
    url = f"/api/v1/issues/{chat.issue_id}/claim"
    await refused_without_writes(db, lambda: client.post(url), 403)
    await refused_without_writes(
        db, lambda: client.post(url, headers={"X-CSRF-Token": "forged"}), 403
    )
    assert (await client.get(f"/api/v1/issues/{chat.issue_id}")).status_code == 200
    claimed = await client.post(url, headers={"X-CSRF-Token": csrf})
    assert claimed.status_code == 200
