"""A Customer's data requests. The export holds what the Customer may see and
nothing agents keep to themselves; after erasure no API read, transcript or
export names the Customer, their addresses or their words, their token is dead,
and the audit log says that an erasure happened (not what it erased)."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import httpx
import orjson

from caseroom.storage.uow import Database
from tests.builders import Org, claim_and_resolve, make_org, note, send, settle, upload

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64

NAME, EMAIL, PHONE = "Jane Doe", "jane.doe@customer.example", "+14155550188"
SECRETS = ("Jane", "jane.doe@customer.example", "JANE.DOE", "4155550188", "broken zip")


async def janes_conversation(client: httpx.AsyncClient, org: Org) -> dict[str, Any]:
    started = await client.post(
        f"/api/v1/organizations/{org.slug}/conversations",
        json={
            "name": NAME,
            "email": EMAIL,
            "phone": PHONE,
            "message": "Hi, I'm Jane Doe: my broken zip...",
        },
    )
    assert started.status_code == 201, started.text
    chat: dict[str, Any] = started.json()
    auth = {"Authorization": f"Bearer {chat['customer_token']}"}
    issue_id = chat["issue"]["id"]
    ana = org.auth(org.ana)
    await upload(client, auth, issue_id, [("photo.png", PNG)], body="Here is the photo")
    await send(client, ana, issue_id, body="Thanks Jane! We will mail JANE.DOE@customer.example")
    await note(client, ana, issue_id, "Jane called twice, phone 4155550188", room="public")
    await send(client, ana, issue_id, room="private", body="Jane Doe is a VIP")
    return {"issue_id": issue_id, "auth": auth, "customer_id": chat["customer_id"]}


async def everything_an_agent_reads(client: httpx.AsyncClient, org: Org, issue_id: str) -> str:
    ana = org.auth(org.ana)
    paths = [
        f"/api/v1/issues/{issue_id}",
        f"/api/v1/issues/{issue_id}/rooms/public/messages",
        f"/api/v1/issues/{issue_id}/rooms/private/messages",
        f"/api/v1/issues/{issue_id}/activity",
        f"/api/v1/issues/{issue_id}/attachments",
        "/api/v1/issues?queue=mine",
    ]
    texts = [(await client.get(path, headers=ana)).text for path in paths]
    transcripts = (await client.get(f"/api/v1/issues/{issue_id}/transcripts", headers=ana)).json()
    for item in transcripts["items"]:
        if item["format"] == "html":
            texts.append((await client.get(item["download_path"], headers=ana)).text)
    return "\n".join(texts)


def unzip(response: httpx.Response) -> dict[str, bytes]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


async def test_the_export_holds_what_the_customer_may_see_and_nothing_else(
    client: httpx.AsyncClient, db: Database
) -> None:
    org = await make_org(db)
    jane = await janes_conversation(client, org)
    path = f"/api/v1/admin/customers/{jane['customer_id']}/export"
    files = unzip(await client.get(path, headers=org.auth(org.admin)))
    assert orjson.loads(files["customer.json"])["email"] == EMAIL
    (issue_json,) = [n for n in files if n.endswith("issue.json")]
    issue = orjson.loads(files[issue_json])
    bodies = [m["body"] for m in issue["messages"]]
    assert bodies == [
        "Hi, I'm Jane Doe: my broken zip...",
        "Here is the photo",
        "Thanks Jane! We will mail JANE.DOE@customer.example",
    ]  # no log note, no private room
    (photo,) = [n for n in files if n.endswith("photo.png")]
    assert files[photo] == PNG
    assert "VIP" not in str(files) and "called twice" not in str(files)

    assert (await client.get(path, headers=org.auth(org.ana))).status_code == 403
    other = await make_org(db)
    assert (await client.get(path, headers=other.auth(other.admin))).status_code == 404
    log = await client.get(
        "/api/v1/admin/audit", params={"action": "customer."}, headers=org.auth(org.admin)
    )
    assert [e["action"] for e in log.json()["entries"]] == ["customer.export"]


async def test_after_erasure_nothing_names_the_customer_anywhere(
    client: httpx.AsyncClient, db: Database
) -> None:
    org = await make_org(db)
    jane = await janes_conversation(client, org)
    issue_id = jane["issue_id"]
    await claim_and_resolve(client, org, issue_id)  # transcripts are filed
    before = await everything_an_agent_reads(client, org, issue_id)
    assert all(secret.lower() in before.lower() for secret in SECRETS)
    searched = await client.get(
        "/api/v1/issues", params={"q": "Jane", "queue": "all"}, headers=org.auth(org.admin)
    )
    assert [i["id"] for i in searched.json()["items"]] == [issue_id]  # found, before

    admin = org.auth(org.admin)
    erase = f"/api/v1/admin/customers/{jane['customer_id']}/erase"
    assert (await client.post(erase, headers=org.auth(org.ana))).status_code == 403
    erased = await client.post(erase, headers=admin)
    assert erased.status_code == 200, erased.text
    assert erased.json() | {"customer_id": None} == {
        "customer_id": None,
        "issues": 1,
        "messages_erased": 2,
        "messages_scrubbed": 3,
        "files_removed": 1,
    }
    await settle(client)  # the transcripts are rendered again

    after = await everything_an_agent_reads(client, org, issue_id)
    for secret in SECRETS:
        where = after.lower().find(secret.lower())
        assert where < 0, (secret, after[max(0, where - 300) : where + 100])
    assert "Erased customer" in after and "[erased]" in after
    for words in ("Jane", "jane.doe@customer.example", "4155550188", "broken zip"):
        found = await client.get(
            "/api/v1/issues", params={"q": words, "queue": "all"}, headers=admin
        )
        assert found.status_code == 200 and found.json()["items"] == [], words
    customer = await client.get(f"/api/v1/customers/{jane['customer_id']}", headers=admin)
    assert customer.json()["email"] is None and customer.json()["name"] == "Erased customer"
    exported = unzip(
        await client.get(f"/api/v1/admin/customers/{jane['customer_id']}/export", headers=admin)
    )
    for secret in SECRETS:
        assert secret.lower() not in str(exported).lower(), secret
    assert not [n for n in exported if n.endswith(".png")]  # the photo is gone
    gone = await client.get(
        f"/api/v1/issues/{issue_id}/rooms/public/messages", headers=jane["auth"]
    )
    assert gone.status_code == 401

    log = await client.get("/api/v1/admin/audit", params={"action": "customer."}, headers=admin)
    (entry,) = [e for e in log.json()["entries"] if e["action"] == "customer.erase"]
    assert entry["target_id"] == jane["customer_id"] and "Jane" not in str(entry)
    again = await client.post(erase, headers=admin)
    assert again.status_code == 404  # nothing of them is left to erase
