"""Starting a conversation without an account, tried as an outsider would against a
running server: an idempotency key is a retry handle, never a password; details
typed into a form never rewrite a Customer; no key lookup reaches another
principal's record."""

from __future__ import annotations

import secrets
from typing import Any

import httpx

from caseroom.storage.uow import Database, UnitOfWork
from tests.builders import key, make_org, row_counts, send, upload
from tests.e2e.conftest import Server
from tests.e2e.wsclient import StreamClient


async def start(http: httpx.AsyncClient, slug: str, **fields: Any) -> httpx.Response:
    body = {"name": "Casey Customer", "message": "Where is my parcel?", **fields}
    return await http.post(f"/api/v1/organizations/{slug}/conversations", json=body)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_another_starts_key_with_the_customers_email_grants_nothing(
    server: Server, server_db: Database, http: httpx.AsyncClient
) -> None:
    org = await make_org(server_db)
    email = f"{key()[:10]}@customer.example"
    first_key, secret = key(), secrets.token_urlsafe(24)
    first = await start(http, org.slug, email=email, idempotency_key=first_key, retry_secret=secret)
    assert first.status_code == 201, first.text
    issue_id = first.json()["issue"]["id"]
    reply = await send(http, org.auth(org.ana), issue_id, body="Your parcel is in Milan.")
    assert reply.status_code == 201
    before = await row_counts(server_db)

    for guess in ({}, {"retry_secret": secrets.token_urlsafe(24)}):
        taken = await start(http, org.slug, email=email, idempotency_key=first_key, **guess)
        assert taken.status_code == 409, taken.text
        problem = taken.json()
        assert taken.headers["content-type"].startswith("application/problem+json")
        assert problem["field"] == "idempotency_key"
        assert "customer_token" not in problem and issue_id not in taken.text
    assert await row_counts(server_db) == before

    # The client that made the start, retrying after a lost response, still gets it.
    retried = await start(
        http, org.slug, email=email, idempotency_key=first_key, retry_secret=secret
    )
    assert retried.status_code == 200, retried.text
    assert retried.json()["issue"]["id"] == issue_id
    assert retried.json()["message"]["id"] == first.json()["message"]["id"]
    page = await http.get(
        f"/api/v1/issues/{issue_id}/rooms/public/messages",
        headers=bearer(retried.json()["customer_token"]),
    )
    assert [m["body"] for m in page.json()["items"]] == [
        "Where is my parcel?",
        "Your parcel is in Milan.",
    ]
    customer_id = first.json()["customer_id"]

    async def customers_issues(uow: UnitOfWork) -> list[str]:
        found = await uow.issues.for_customer(org.org.id, customer_id, None, 10)
        return [issue.id for issue in found]

    assert await server_db.read(customers_issues) == [issue_id]
    after = await row_counts(server_db)
    assert after["issues"] == before["issues"] and after["messages"] == before["messages"]


async def test_an_unverified_start_never_rewrites_the_customers_contact_details(
    server: Server, server_db: Database, http: httpx.AsyncClient
) -> None:
    org = await make_org(server_db)
    email = f"{key()[:10]}@customer.example"
    first = await start(http, org.slug, email=email, phone="+14155550100")
    assert first.status_code == 201, first.text
    customer_id = first.json()["customer_id"]

    other = await start(http, org.slug, name="Someone Else", email=email, phone="+14155550199")
    assert other.status_code == 201, other.text
    assert other.json()["customer_id"] == customer_id  # matched, never duplicated

    stored = await http.get(f"/api/v1/customers/{customer_id}", headers=org.auth(org.ana))
    assert stored.json()["phone"] == "+14155550100"
    assert stored.json()["name"] == "Casey Customer"
    new_issue = other.json()["issue"]["id"]
    as_agent = await http.get(f"/api/v1/issues/{new_issue}", headers=org.auth(org.ana))
    assert as_agent.json()["given_contact"] == {
        "name": "Someone Else",
        "phone": "+14155550199",
    }
    first_issue = await http.get(
        f"/api/v1/issues/{first.json()['issue']['id']}", headers=org.auth(org.ana)
    )
    assert first_issue.json()["given_contact"] is None
    as_customer = await http.get(
        f"/api/v1/issues/{new_issue}", headers=bearer(other.json()["customer_token"])
    )
    assert as_customer.status_code == 200
    assert as_customer.json().get("given_contact") is None
    assert "+14155550199" not in as_customer.text


async def test_no_send_path_returns_another_holders_message_by_its_key(
    server: Server, server_db: Database, http: httpx.AsyncClient
) -> None:
    """Two people who typed the same email hold tokens for the same Customer; keys
    one of them used never find its messages for the other, on REST, upload and
    the websocket alike."""
    org = await make_org(server_db)
    email = f"{key()[:10]}@customer.example"
    owner = (await start(http, org.slug, email=email)).json()
    intruder = (await start(http, org.slug, email=email)).json()
    assert owner["customer_id"] == intruder["customer_id"]
    owner_issue, intruder_issue = owner["issue"]["id"], intruder["issue"]["id"]
    rest_key, upload_key, ws_key = key(), key(), key()

    mine = await send(
        http,
        bearer(owner["customer_token"]),
        owner_issue,
        body="my address",
        idempotency_key=rest_key,
    )
    filed = await upload(
        http,
        bearer(owner["customer_token"]),
        owner_issue,
        [("invoice.txt", b"private invoice")],
        idempotency_key=upload_key,
    )
    assert mine.status_code == 201 and filed.status_code == 201, filed.text
    owner_ws = await StreamClient.open(server.ws_url, owner["customer_token"])
    frame = {"type": "send", "room": "public", "body": "my phone", "idempotency_key": ws_key}
    await owner_ws.send({**frame, "issue_id": owner_issue, "ref": "o"})
    owner_ack = await owner_ws.expect("ack")
    await owner_ws.close()

    theirs = await send(
        http,
        bearer(intruder["customer_token"]),
        intruder_issue,
        body="my address",
        idempotency_key=rest_key,
    )
    assert theirs.status_code == 201, theirs.text
    assert theirs.json()["id"] != mine.json()["id"]
    assert theirs.json()["issue_id"] == intruder_issue

    their_file = await upload(
        http,
        bearer(intruder["customer_token"]),
        intruder_issue,
        [("invoice.txt", b"private invoice")],
        idempotency_key=upload_key,
    )
    assert their_file.status_code == 201, their_file.text
    assert their_file.json()["id"] != filed.json()["id"]
    assert their_file.json()["issue_id"] == intruder_issue
    assert {a["id"] for a in their_file.json()["attachments"]}.isdisjoint(
        a["id"] for a in filed.json()["attachments"]
    )

    intruder_ws = await StreamClient.open(server.ws_url, intruder["customer_token"])
    await intruder_ws.send({**frame, "issue_id": intruder_issue, "ref": "i"})
    their_ack = await intruder_ws.expect("ack")
    await intruder_ws.close()
    assert their_ack["message"]["id"] != owner_ack["message"]["id"]
    assert their_ack["message"]["issue_id"] == intruder_issue

    owners_room = await http.get(
        f"/api/v1/issues/{owner_issue}/rooms/public/messages", headers=org.auth(org.ana)
    )
    assert len(owners_room.json()["items"]) == 4  # the start, the text, the file, the frame
