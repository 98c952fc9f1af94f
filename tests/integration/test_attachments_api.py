"""Files on messages through the real API: sending, the attachments view,
downloads, and who may see what."""

from __future__ import annotations

from pathlib import Path

import httpx

from caseroom.config import Settings
from caseroom.storage.uow import Database
from tests.builders import key, make_org, send, start_chat, upload

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\n"
HTML = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"


def blob_files(settings: Settings) -> list[Path]:
    """Every stored blob (temporary files included) under the blob root."""
    root = settings.blob_root
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


async def test_limits_are_announced_without_signing_in(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    response = await client.get("/api/v1/limits")
    assert response.status_code == 200
    limits = response.json()
    assert limits["max_file_bytes"] == settings.max_file_bytes == 25 * 1024 * 1024
    assert limits["max_files_per_message"] == settings.max_files_per_message == 10
    assert limits["max_upload_bytes"] > 10 * limits["max_file_bytes"]
    assert "text/html" not in limits["inline_content_types"]


async def test_agent_sends_files_and_the_customer_downloads_them(
    client: httpx.AsyncClient, db: Database
) -> None:
    org = await make_org(db)
    chat = await start_chat(client, org)
    sent = await upload(
        client,
        org.auth(org.ana),
        chat.issue_id,
        [("label.png", PNG), ("invoice.pdf", PDF)],
        body="Here are your label and invoice",
    )
    assert sent.status_code == 201, sent.text
    message = sent.json()
    assert message["body"] == "Here are your label and invoice"
    assert [(a["filename"], a["content_type"]) for a in message["attachments"]] == [
        ("label.png", "image/png"),
        ("invoice.pdf", "application/pdf"),
    ]

    page = await client.get(
        f"/api/v1/issues/{chat.issue_id}/rooms/public/messages", headers=chat.auth
    )
    listed = page.json()["items"][-1]
    assert [a["filename"] for a in listed["attachments"]] == ["label.png", "invoice.pdf"]

    view = await client.get(f"/api/v1/issues/{chat.issue_id}/attachments", headers=chat.auth)
    assert view.status_code == 200
    items = view.json()["items"]
    assert [(i["filename"], i["room"], i["sender"]["name"]) for i in items] == [
        ("label.png", "public", "Ana Agent"),
        ("invoice.pdf", "public", "Ana Agent"),
    ]

    image = await client.get(items[0]["download_path"], headers=chat.auth)
    assert image.status_code == 200
    assert image.content == PNG
    assert image.headers["content-type"] == "image/png"
    assert image.headers["content-disposition"].startswith("inline;")
    assert image.headers["x-content-type-options"] == "nosniff"
    assert "sandbox" in image.headers["content-security-policy"]

    pdf = await client.get(items[1]["download_path"], headers=chat.auth)
    assert pdf.content == PDF
    assert pdf.headers["content-disposition"].startswith("attachment;")


async def test_customer_sends_a_file_without_text(client: httpx.AsyncClient, db: Database) -> None:
    org = await make_org(db)
    chat = await start_chat(client, org)
    sent = await upload(client, chat.auth, chat.issue_id, [("photo.png", PNG)])
    assert sent.status_code == 201, sent.text
    assert sent.json()["body"] == ""
    assert sent.json()["author"]["kind"] == "customer"
    view = await client.get(
        f"/api/v1/issues/{chat.issue_id}/attachments", headers=org.auth(org.ben)
    )
    assert [i["sender"]["name"] for i in view.json()["items"]] == ["Casey Customer"]


async def test_a_customer_never_sees_private_files_or_files_on_notes(
    client: httpx.AsyncClient, db: Database, settings: Settings
) -> None:
    org = await make_org(db)
    chat = await start_chat(client, org)
    agent = org.auth(org.ana)
    public = await upload(client, agent, chat.issue_id, [("public.png", PNG)])
    private = await upload(client, agent, chat.issue_id, [("private.png", PNG)], room="private")
    note = await upload(client, agent, chat.issue_id, [("note.png", PNG)], kind="note")
    assert {public.status_code, private.status_code, note.status_code} == {201}

    view = await client.get(f"/api/v1/issues/{chat.issue_id}/attachments", headers=chat.auth)
    assert [i["filename"] for i in view.json()["items"]] == ["public.png"]
    agents_view = await client.get(f"/api/v1/issues/{chat.issue_id}/attachments", headers=agent)
    assert sorted(i["filename"] for i in agents_view.json()["items"]) == [
        "note.png",
        "private.png",
        "public.png",
    ]

    for hidden in (private, note):
        path = hidden.json()["attachments"][0]["download_path"]
        refused = await client.get(path, headers=chat.auth)
        assert refused.status_code == 404
        assert refused.headers["content-type"] == "application/problem+json"
        assert await client.get(path, headers=agent) is not None

    page = await client.get(
        f"/api/v1/issues/{chat.issue_id}/rooms/public/messages", headers=chat.auth
    )
    assert "note.png" not in page.text

    # The customer may not put files in the private room either: refused before
    # the body is read, and nothing is stored.
    before = blob_files(settings)
    refused = await upload(client, chat.auth, chat.issue_id, [("x.png", PNG)], room="private")
    assert refused.status_code == 404
    refused = await upload(client, chat.auth, chat.issue_id, [("x.png", PNG)], kind="note")
    assert refused.status_code == 403
    assert blob_files(settings) == before


async def test_another_issues_or_organizations_files_are_not_found(
    client: httpx.AsyncClient, db: Database
) -> None:
    org, other_org = await make_org(db), await make_org(db)
    mine, theirs = await start_chat(client, org), await start_chat(client, org)
    sent = await upload(client, org.auth(org.ana), theirs.issue_id, [("theirs.png", PNG)])
    attachment_id = sent.json()["attachments"][0]["id"]

    # Another customer: neither under their own Issue's id nor the real one.
    for issue_id in (mine.issue_id, theirs.issue_id):
        path = f"/api/v1/issues/{issue_id}/attachments/{attachment_id}/content"
        assert (await client.get(path, headers=mine.auth)).status_code == 404
    listed = await client.get(f"/api/v1/issues/{theirs.issue_id}/attachments", headers=mine.auth)
    assert listed.status_code == 404
    # Another organization's agent.
    outsider = other_org.auth(other_org.admin)
    path = f"/api/v1/issues/{theirs.issue_id}/attachments/{attachment_id}/content"
    assert (await client.get(path, headers=outsider)).status_code == 404
    listed = await client.get(f"/api/v1/issues/{theirs.issue_id}/attachments", headers=outsider)
    assert listed.status_code == 404


async def test_a_path_in_the_name_and_a_forged_type_are_stored_safely(
    client: httpx.AsyncClient, db: Database, settings: Settings
) -> None:
    org = await make_org(db)
    chat = await start_chat(client, org)
    sent = await upload(
        client,
        chat.auth,
        chat.issue_id,
        [("../../etc/passwd", b"root:x:0:0:root:/root:/bin/bash\n"), ("cat.png", HTML)],
        claimed_type="image/png",
    )
    assert sent.status_code == 201, sent.text
    passwd, page = sent.json()["attachments"]
    assert passwd["filename"] == "passwd"
    assert passwd["content_type"] == "text/plain"
    assert page["filename"] == "cat.png"
    assert page["content_type"] == "text/html"  # sniffed, not the claimed image/png

    root = settings.blob_root.resolve()
    assert all(p.resolve().is_relative_to(root) for p in blob_files(settings))
    assert not any(p.name == "passwd" for p in blob_files(settings))

    served = await client.get(page["download_path"], headers=org.auth(org.ana))
    assert served.content == HTML
    assert served.headers["content-disposition"].startswith("attachment;")
    assert served.headers["x-content-type-options"] == "nosniff"
    assert served.headers["content-security-policy"].startswith("default-src 'none'")


async def test_control_characters_and_long_names_are_cleaned(
    client: httpx.AsyncClient, db: Database, settings: Settings
) -> None:
    org = await make_org(db)
    chat = await start_chat(client, org)
    long_name = "r\u00e9sum\u00e9 " + "x" * 400 + ".pdf"
    # Written by hand: HTTP clients escape control characters in names themselves.
    boundary = "xYz"
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="idempotency_key"\r\n\r\n'
        f"{key()}\r\n".encode()
    ]
    for name, data in (("evil\u202e\x07\x1bname.txt", b"plain"), (long_name, PDF), ("..", b"x")):
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="{name}"'
            "\r\n\r\n".encode()
            + data
            + b"\r\n"
        )
    parts.append(f"--{boundary}--\r\n".encode())
    sent = await client.post(
        f"/api/v1/issues/{chat.issue_id}/rooms/public/attachments",
        content=b"".join(parts),
        headers={**org.auth(org.ana), "content-type": f"multipart/form-data; boundary={boundary}"},
    )
    assert sent.status_code == 201, sent.text
    names = [a["filename"] for a in sent.json()["attachments"]]
    assert names[0] == "evilname.txt"
    assert len(names[1]) == settings.max_filename_chars
    assert names[1].startswith("r\u00e9sum\u00e9 x") and names[1].endswith(".pdf")
    assert names[2] == "file"
    served = await client.get(sent.json()["attachments"][1]["download_path"], headers=chat.auth)
    assert "filename*=UTF-8''r%C3%A9sum%C3%A9" in served.headers["content-disposition"]


async def test_a_retried_upload_returns_the_first_message(
    client: httpx.AsyncClient, db: Database, settings: Settings
) -> None:
    org = await make_org(db)
    chat = await start_chat(client, org)
    first = await upload(
        client, chat.auth, chat.issue_id, [("a.png", PNG)], idempotency_key="k" * 12
    )
    stored = blob_files(settings)
    again = await upload(
        client, chat.auth, chat.issue_id, [("a.png", PNG)], idempotency_key="k" * 12
    )
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"]
    assert blob_files(settings) == stored
    view = await client.get(f"/api/v1/issues/{chat.issue_id}/attachments", headers=chat.auth)
    assert len(view.json()["items"]) == 1


async def test_bad_upload_requests_are_refused_with_a_clear_problem(
    client: httpx.AsyncClient, db: Database, settings: Settings
) -> None:
    org = await make_org(db)
    chat = await start_chat(client, org)
    path = f"/api/v1/issues/{chat.issue_id}/rooms/public/attachments"
    as_json = await client.post(path, json={"body": "hi"}, headers=chat.auth)
    assert as_json.status_code == 422
    assert "multipart/form-data" in as_json.json()["detail"]
    no_files = await upload(client, chat.auth, chat.issue_id, [], body="only text")
    assert no_files.status_code == 422
    no_key = await client.post(
        path, files=[("files", ("a.png", PNG, "image/png"))], headers=chat.auth
    )
    assert no_key.status_code == 422
    unknown = await client.post(
        path,
        data={"idempotency_key": "k" * 10, "colour": "red"},
        files=[("files", ("a.png", PNG, "image/png"))],
        headers=chat.auth,
    )
    assert unknown.status_code == 422
    assert "colour" in unknown.json()["detail"]
    assert blob_files(settings) == []
    page = await client.get(
        f"/api/v1/issues/{chat.issue_id}/rooms/public/messages", headers=chat.auth
    )
    assert len(page.json()["items"]) == 1  # the first message only


async def test_sending_json_to_the_message_route_still_works(
    client: httpx.AsyncClient, db: Database
) -> None:
    org = await make_org(db)
    chat = await start_chat(client, org)
    reply = await send(client, org.auth(org.ana), chat.issue_id, body="no files")
    assert reply.status_code == 201
    assert reply.json()["attachments"] == []


async def test_a_deleted_notes_files_go_with_it(client: httpx.AsyncClient, db: Database) -> None:
    org = await make_org(db)
    chat = await start_chat(client, org)
    agent = org.auth(org.ana)
    sent = await upload(client, agent, chat.issue_id, [("scan.png", PNG)], kind="note")
    path = sent.json()["attachments"][0]["download_path"]
    assert (await client.get(path, headers=agent)).status_code == 200
    deleted = await client.delete(
        f"/api/v1/issues/{chat.issue_id}/messages/{sent.json()['id']}", headers=agent
    )
    assert deleted.status_code == 204, deleted.text
    assert (await client.get(path, headers=agent)).status_code == 404
    view = await client.get(f"/api/v1/issues/{chat.issue_id}/attachments", headers=agent)
    assert view.json()["items"] == []


async def test_an_edited_note_keeps_its_files(client: httpx.AsyncClient, db: Database) -> None:
    org = await make_org(db)
    chat = await start_chat(client, org)
    agent = org.auth(org.ana)
    sent = await upload(client, agent, chat.issue_id, [("scan.png", PNG)], kind="note", body="v1")
    edited = await client.patch(
        f"/api/v1/issues/{chat.issue_id}/messages/{sent.json()['id']}",
        json={"body": "v2"},
        headers=agent,
    )
    assert edited.status_code == 200, edited.text
    assert [a["filename"] for a in edited.json()["attachments"]] == ["scan.png"]
    changes = await client.get(
        f"/api/v1/issues/{chat.issue_id}/rooms/public/changes", params={"after": 0}, headers=agent
    )
    assert [a["filename"] for a in changes.json()["items"][0]["attachments"]] == ["scan.png"]
