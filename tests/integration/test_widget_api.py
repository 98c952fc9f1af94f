"""The customer side's API: the widget's look, its admin settings, the identity
secret, identity tokens exchanged for customer tokens, and follow-up conversations."""

from __future__ import annotations

import httpx
import pytest

from caseroom.storage.uow import Database
from tests.builders import (
    identity_secret,
    identity_token,
    key,
    make_org,
    row_counts,
    send,
    start_chat,
)

# -- the widget's look ------------------------------------------------------------


async def test_anyone_reads_the_look_and_only_the_look(
    client: httpx.AsyncClient, db: Database
) -> None:
    org = await make_org(db)
    secret = await identity_secret(client, org)
    response = await client.get(f"/api/v1/organizations/{org.slug}/widget")
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == "*"
    body = response.json()
    assert body["position"] == "right"
    assert body["organization"] == {"slug": org.slug, "name": org.org.name}
    assert body["text_color"] in ("#ffffff", "#111827")
    assert secret not in response.text
    assert set(body) == {"position", "color", "title", "greeting", "organization", "text_color"}


async def test_unknown_organization_is_404(client: httpx.AsyncClient) -> None:
    for path in ("/api/v1/organizations/nope/widget", "/widget/nope", "/connect/nope"):
        response = await client.get(path)
        assert response.status_code == 404
        assert response.headers["content-type"] == "application/problem+json"


async def test_admin_changes_the_look_and_visitors_see_it(
    client: httpx.AsyncClient, db: Database
) -> None:
    org = await make_org(db)
    other = await make_org(db)
    change = {"position": "left", "color": "#FF6600", "title": "Talk to Acme"}
    response = await client.patch(
        "/api/v1/settings/widget", json=change, headers=org.auth(org.admin)
    )
    assert response.status_code == 200, response.text
    assert response.json()["color"] == "#ff6600"
    public = (await client.get(f"/api/v1/organizations/{org.slug}/widget")).json()
    assert (public["position"], public["color"], public["title"]) == (
        "left",
        "#ff6600",
        "Talk to Acme",
    )
    agent_view = await client.get("/api/v1/settings/widget", headers=org.auth(org.ana))
    assert agent_view.json()["title"] == "Talk to Acme"
    untouched = (await client.get(f"/api/v1/organizations/{other.slug}/widget")).json()
    assert untouched["position"] == "right"


@pytest.mark.parametrize(
    ("change", "status"),
    [
        ({"color": "orange"}, 422),
        ({"position": "top"}, 422),
        ({"title": ""}, 422),
        ({"greeting": "x" * 301}, 422),
        ({"secret": "mine"}, 422),
    ],
)
async def test_bad_settings_are_refused_and_nothing_changes(
    client: httpx.AsyncClient, db: Database, change: dict[str, str], status: int
) -> None:
    org = await make_org(db)
    before = await row_counts(db)
    response = await client.patch(
        "/api/v1/settings/widget", json=change, headers=org.auth(org.admin)
    )
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["detail"]
    assert await row_counts(db) == before


async def test_only_admins_change_the_look_or_see_the_secret(
    client: httpx.AsyncClient, db: Database
) -> None:
    org = await make_org(db)
    chat = await start_chat(client, org)
    secret = await identity_secret(client, org)
    for headers in (org.auth(org.ana), chat.auth):
        patch = await client.patch(
            "/api/v1/settings/widget", json={"color": "#000000"}, headers=headers
        )
        assert patch.status_code == 403
        shown = await client.get("/api/v1/settings/widget/identity-secret", headers=headers)
        assert shown.status_code == 403
        assert secret not in shown.text
        rotated = await client.post("/api/v1/settings/widget/identity-secret", headers=headers)
        assert rotated.status_code == 403
    assert (await client.get("/api/v1/settings/widget", headers=chat.auth)).status_code == 403
    public = (await client.get(f"/api/v1/organizations/{org.slug}/widget")).json()
    assert public["color"] != "#000000"
    shown = await client.get("/api/v1/settings/widget/identity-secret", headers=org.auth(org.admin))
    assert shown.json()["secret"] == secret


async def test_the_secret_starts_unset_and_rotation_replaces_it(
    client: httpx.AsyncClient, db: Database
) -> None:
    org = await make_org(db)
    shown = await client.get("/api/v1/settings/widget/identity-secret", headers=org.auth(org.admin))
    assert shown.json() == {"secret": None, "rotated_at": None}
    refused = await client.post(
        f"/api/v1/organizations/{org.slug}/identity",
        json={"identity_token": identity_token("guess" * 10)},
    )
    assert refused.status_code == 401
    assert "no identity secret" in refused.json()["detail"]
    first = await identity_secret(client, org)
    old_token = identity_token(first)
    second = await identity_secret(client, org)
    assert first != second
    response = await client.post(
        f"/api/v1/organizations/{org.slug}/identity", json={"identity_token": old_token}
    )
    assert response.status_code == 401


# -- identity tokens ---------------------------------------------------------------


async def test_a_verified_customer_sees_all_their_issues_and_only_public_content(
    client: httpx.AsyncClient, db: Database
) -> None:
    org = await make_org(db)
    secret = await identity_secret(client, org)
    older = await start_chat(client, org, email="kim@example.com", message="First problem")
    await client.post(f"/api/v1/issues/{older.issue_id}/claim", headers=org.auth(org.ana))
    await send(client, org.auth(org.ana), older.issue_id, body="On it")
    await send(client, org.auth(org.ana), older.issue_id, body="SECRET-NOTE", kind="note")
    await send(client, org.auth(org.ana), older.issue_id, room="private", body="SECRET-ROOM")
    newer = await start_chat(client, org, email="kim@example.com", message="Second problem")
    stranger = await start_chat(client, org, email="someone@example.com")

    response = await client.post(
        f"/api/v1/organizations/{org.slug}/identity",
        json={"identity_token": identity_token(secret, email="kim@example.com")},
    )
    assert response.status_code == 200, response.text
    verified = response.json()
    assert verified["customer"]["id"] == older.customer_id
    assert [i["id"] for i in verified["issues"]] == [newer.issue_id, older.issue_id]
    assert (
        "owner_agent_id" not in verified["issues"][0]
        or verified["issues"][0]["owner_agent_id"] is None
    )
    headers = {"Authorization": f"Bearer {verified['customer_token']}"}
    listed = await client.get("/api/v1/issues", headers=headers)
    assert {i["id"] for i in listed.json()["items"]} == {older.issue_id, newer.issue_id}
    page = await client.get(
        f"/api/v1/issues/{older.issue_id}/rooms/public/messages", headers=headers
    )
    assert [m["body"] for m in page.json()["items"]] == ["First problem", "On it"]
    private = await client.get(
        f"/api/v1/issues/{older.issue_id}/rooms/private/messages", headers=headers
    )
    assert private.status_code == 404
    foreign = await client.get(f"/api/v1/issues/{stranger.issue_id}", headers=headers)
    assert foreign.status_code == 404
    # The unverified token from the form still sees only its own Issue.
    narrow = await client.get("/api/v1/issues", headers=newer.auth)
    assert [i["id"] for i in narrow.json()["items"]] == [newer.issue_id]


async def test_the_same_person_is_matched_not_duplicated(
    client: httpx.AsyncClient, db: Database
) -> None:
    org = await make_org(db)
    secret = await identity_secret(client, org)
    ids, customers = set(), []
    for _ in range(2):
        response = await client.post(
            f"/api/v1/organizations/{org.slug}/identity",
            json={"identity_token": identity_token(secret, external_id="u-77", name="Ola")},
        )
        assert response.status_code == 200
        ids.add(response.json()["customer"]["id"])
        customers.append((await row_counts(db))["customers"])
    assert len(ids) == 1
    assert customers[0] == customers[1]


def _tampered(token: str) -> str:
    header, payload, signature = token.split(".")
    return f"{header}.{payload[:-2]}{'A' if payload[-2] != 'A' else 'B'}{payload[-1]}.{signature}"


async def test_bad_identity_tokens_are_refused_and_nothing_is_written(
    client: httpx.AsyncClient, db: Database
) -> None:
    org = await make_org(db)
    other = await make_org(db)
    secret = await identity_secret(client, org)
    other_secret = await identity_secret(client, other)
    cases = {
        "tampered": (_tampered(identity_token(secret)), "signature"),
        "expired": (identity_token(secret, iat=1_700_000_000, exp=1_700_000_600), "expired"),
        "future": (identity_token(secret, iat=4_000_000_000, exp=4_000_000_600), "future"),
        "too long-lived": (identity_token(secret, lifetime=30 * 24 * 3600), "longer"),
        "other org's secret": (identity_token(other_secret), "signature"),
        # A genuine token of the other organization, replayed here.
        "other org's token": (identity_token(other_secret, aud=other.slug), "signature"),
        "wrong audience": (identity_token(secret, aud=other.slug), "another organization"),
        "no external id": (identity_token(secret, external_id=None), "external_id"),
        "bad email": (identity_token(secret, email="not-an-address"), "email"),
        "garbage": ("not.a.token", "malformed"),
    }
    before = await row_counts(db)
    for case, (token, reason) in cases.items():
        response = await client.post(
            f"/api/v1/organizations/{org.slug}/identity", json={"identity_token": token}
        )
        assert response.status_code == 401, (case, response.text)
        assert response.headers["content-type"] == "application/problem+json", case
        assert reason in response.json()["detail"], (case, response.json())
        assert "customer_token" not in response.text, case
    assert await row_counts(db) == before


async def test_an_identity_for_an_unknown_organization_is_404(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/v1/organizations/nope/identity", json={"identity_token": "x.y.z"}
    )
    assert response.status_code == 404


# -- a customer with a token starts another conversation ---------------------------------


async def test_a_customer_starts_another_conversation_granted_to_their_token(
    client: httpx.AsyncClient, db: Database
) -> None:
    org = await make_org(db)
    chat = await start_chat(client, org)
    elsewhere = await start_chat(client, org, email="same-person@example.com")
    body = {"message": "Also, my invoice is wrong", "idempotency_key": key()}
    opened = await client.post("/api/v1/conversations", json=body, headers=chat.auth)
    assert opened.status_code == 201, opened.text
    issue_id = opened.json()["issue"]["id"]
    assert issue_id != chat.issue_id
    assert opened.json()["message"]["body"] == "Also, my invoice is wrong"
    again = await client.post("/api/v1/conversations", json=body, headers=chat.auth)
    assert again.status_code == 200
    assert again.json()["issue"]["id"] == issue_id
    listed = await client.get("/api/v1/issues", headers=chat.auth)
    assert {i["id"] for i in listed.json()["items"]} == {chat.issue_id, issue_id}
    assert elsewhere.issue_id not in listed.text


async def test_agents_and_anonymous_callers_cannot_open_customer_conversations(
    client: httpx.AsyncClient, db: Database
) -> None:
    org = await make_org(db)
    before = await row_counts(db)
    body = {"message": "hello", "idempotency_key": key()}
    as_agent = await client.post("/api/v1/conversations", json=body, headers=org.auth(org.ana))
    assert as_agent.status_code == 403
    anonymous = await client.post("/api/v1/conversations", json=body)
    assert anonymous.status_code == 401
    assert await row_counts(db) == before


async def test_chat_pages_may_be_framed_but_run_only_their_own_scripts(
    client: httpx.AsyncClient, db: Database
) -> None:
    org = await make_org(db)
    for path, ancestors in (("widget", "*"), ("embed", "*"), ("connect", "'none'")):
        page = await client.get(f"/{path}/{org.slug}")
        assert page.status_code == 200
        assert page.headers["content-type"].startswith("text/html")
        policy = page.headers["content-security-policy"]
        assert f"frame-ancestors {ancestors}" in policy
        assert "default-src 'self'" in policy
    loader = await client.get("/widget.js")
    assert loader.headers["content-type"].startswith("text/javascript")
    assert "data-org" in loader.text


async def test_only_the_allowed_sites_may_frame_the_chat_once_an_admin_names_them(
    client: httpx.AsyncClient, db: Database
) -> None:
    org = await make_org(db)
    admin = org.auth(org.admin)
    sites = ["https://shop.example.com", "HTTP://localhost:3000/"]
    changed = await client.patch(
        "/api/v1/settings/widget", json={"allowed_sites": sites}, headers=admin
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["allowed_sites"] == ["https://shop.example.com", "http://localhost:3000"]
    for path in ("widget", "embed"):
        policy = (await client.get(f"/{path}/{org.slug}")).headers["content-security-policy"]
        assert "frame-ancestors https://shop.example.com http://localhost:3000" in policy
    connect = await client.get(f"/connect/{org.slug}")
    assert connect.headers["x-frame-options"] == "DENY"

    before = await row_counts(db)
    not_sites = (
        "shop.example.com",
        "https://shop.example.com/page",
        "javascript:alert(1)",
        "https://user@shop.example.com",
        "https://shop.example.com; script-src *",
    )
    for bad in not_sites:
        refused = await client.patch(
            "/api/v1/settings/widget", json={"allowed_sites": [bad]}, headers=admin
        )
        assert refused.status_code == 422, bad
        assert refused.json()["field"] == "allowed_sites"
    assert await row_counts(db) == before
    cleared = await client.patch(
        "/api/v1/settings/widget", json={"allowed_sites": []}, headers=admin
    )
    assert cleared.json()["allowed_sites"] == []
    policy = (await client.get(f"/embed/{org.slug}")).headers["content-security-policy"]
    assert policy.endswith("frame-ancestors *")


async def test_the_console_and_first_run_pages_are_never_framed_and_tls_asks_for_hsts(
    client: httpx.AsyncClient,
) -> None:
    for path in ("/console", "/invite"):
        page = await client.get(path)
        assert page.headers["x-frame-options"] == "DENY", path
        policy = page.headers["content-security-policy"]
        assert "frame-ancestors 'none'" in policy and "script-src" not in policy
        assert "default-src 'self'" in policy
    assert "strict-transport-security" not in (await client.get("/healthz")).headers
    secure = httpx.AsyncClient(transport=client._transport, base_url="https://testserver")
    async with secure:
        hsts = (await secure.get("/healthz")).headers["strict-transport-security"]
    assert hsts.startswith("max-age=") and int(hsts.split("=")[1].split(";")[0]) > 0
