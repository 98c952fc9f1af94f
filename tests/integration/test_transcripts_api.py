"""Transcripts filed on resolution, through the real API and the app's own worker."""

from __future__ import annotations

import io
import re

import httpx
from pypdf import PdfReader

from caseroom.storage.uow import Database
from tests.builders import (
    Chat,
    Org,
    claim_and_resolve,
    make_org,
    post_as_bot,
    post_system_event,
    send,
    start_chat,
    upload,
)
from tests.integration.test_attachments_api import PNG


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages)


def in_order(text: str, *needles: str) -> bool:
    positions = [text.find(n) for n in needles]
    return -1 not in positions and positions == sorted(positions)


async def conversation(client: httpx.AsyncClient, org: Org, db: Database) -> Chat:
    """A small support case: customer, bot, agent, a system event, a public note,
    a file, and talk in the private room."""
    chat = await start_chat(client, org, message="My parcel #4411 never arrived")
    agent = org.auth(org.ana)
    await post_as_bot(db, org, chat.issue_id, "Thanks! An agent will be with you shortly.")
    await client.post(f"/api/v1/issues/{chat.issue_id}/claim", headers=agent)
    await post_system_event(db, org, chat.issue_id, "Ana Agent joined the conversation")
    await send(client, agent, chat.issue_id, body="Sorry to hear that! Checking with the courier.")
    await send(client, agent, chat.issue_id, body="Courier says depot delay", kind="note")
    await upload(client, chat.auth, chat.issue_id, [("receipt.png", PNG)], body="My receipt")
    await send(client, org.auth(org.ben), chat.issue_id, "private", "Refund is approved \u2714")
    await send(client, agent, chat.issue_id, body="A refund is on its way. Ça marche?")
    return chat


async def files_of(client: httpx.AsyncClient, org: Org, issue_id: str) -> list[dict[str, object]]:
    listed = await client.get(f"/api/v1/issues/{issue_id}/transcripts", headers=org.auth(org.ana))
    assert listed.status_code == 200, listed.text
    items: list[dict[str, object]] = listed.json()["items"]
    return items


async def fetch(client: httpx.AsyncClient, org: Org, item: dict[str, object]) -> httpx.Response:
    response = await client.get(str(item["download_path"]), headers=org.auth(org.ana))
    assert response.status_code == 200, response.text
    return response


async def test_resolving_files_public_and_private_transcripts_in_html_and_pdf(
    client: httpx.AsyncClient, db: Database
) -> None:
    org = await make_org(db)
    chat = await conversation(client, org, db)
    await claim_and_resolve(client, org, chat.issue_id)

    files = await files_of(client, org, chat.issue_id)
    assert sorted((f["room"], f["format"], f["version"]) for f in files) == [
        ("private", "html", 1),
        ("private", "pdf", 1),
        ("public", "html", 1),
        ("public", "pdf", 1),
    ]
    by_key = {(f["room"], f["format"]): f for f in files}

    public_pdf = await fetch(client, org, by_key[("public", "pdf")])
    assert public_pdf.headers["content-type"] == "application/pdf"
    assert public_pdf.headers["content-disposition"].startswith("attachment;")
    text = pdf_text(public_pdf.content)
    issue = (await client.get(f"/api/v1/issues/{chat.issue_id}", headers=chat.auth)).json()
    assert issue["reference"] in text
    assert org.org.name in text
    assert "Casey Customer" in text and "Ana Agent" in text
    timeline = text.split("never sent to the customer")[1]
    assert in_order(
        timeline,
        "My parcel #4411 never arrived",
        "Welcome bot  ·  via bot  ·  Bot",
        "An agent will be with you shortly",
        "caseroom  ·  via system  ·  Event",
        "Ana Agent joined the conversation",
        "Checking with the courier",
        "NOTE",
        "Courier says depot delay",
        "My receipt",
        "receipt.png",
        "A refund is on its way. Ça marche?",
    )
    assert "Refund is approved" not in text  # the private room is its own transcript

    private_pdf = pdf_text((await fetch(client, org, by_key[("private", "pdf")])).content)
    assert "Refund is approved \u2714" in private_pdf
    assert "Ben Agent" in private_pdf
    assert "My parcel" not in private_pdf.split("never sent to the customer")[1]

    html = (await fetch(client, org, by_key[("public", "html")])).text
    assert html.startswith("<!doctype html>")
    assert re.search(r'<li class="note">.*Courier says depot delay', html)
    assert "<script" not in html
    assert (
        "attachment;"
        in (await fetch(client, org, by_key[("public", "html")])).headers["content-disposition"]
    )


async def test_a_customer_cannot_list_or_download_filed_transcripts(
    client: httpx.AsyncClient, db: Database
) -> None:
    org, other = await make_org(db), await make_org(db)
    chat = await conversation(client, org, db)
    await claim_and_resolve(client, org, chat.issue_id)
    files = await files_of(client, org, chat.issue_id)

    listed = await client.get(f"/api/v1/issues/{chat.issue_id}/transcripts", headers=chat.auth)
    assert listed.status_code == 404
    for item in files:
        assert (await client.get(str(item["download_path"]), headers=chat.auth)).status_code == 404
        outsider = other.auth(other.admin)
        assert (await client.get(str(item["download_path"]), headers=outsider)).status_code == 404


async def test_the_customer_copy_has_no_notes_and_nothing_private(
    client: httpx.AsyncClient, db: Database
) -> None:
    org = await make_org(db)
    chat = await conversation(client, org, db)
    await claim_and_resolve(client, org, chat.issue_id)

    pdf = await client.get(f"/api/v1/issues/{chat.issue_id}/transcript", headers=chat.auth)
    assert pdf.status_code == 200, pdf.text
    text = pdf_text(pdf.content)
    assert in_order(
        text.split("as the customer saw it")[1],
        "My parcel #4411",
        "An agent will be with you shortly",
        "Ana Agent joined the conversation",
        "Checking with the courier",
        "A refund is on its way",
    )
    assert "receipt.png" in text
    for secret in ("Courier says depot delay", "NOTE", "Refund is approved", "Ben Agent"):
        assert secret not in text

    html = await client.get(
        f"/api/v1/issues/{chat.issue_id}/transcript", params={"format": "html"}, headers=chat.auth
    )
    assert html.status_code == 200
    assert "Courier says depot delay" not in html.text and "Refund is approved" not in html.text
    assert html.headers["content-disposition"].startswith("attachment;")

    stranger = await start_chat(client, org)
    refused = await client.get(f"/api/v1/issues/{chat.issue_id}/transcript", headers=stranger.auth)
    assert refused.status_code == 404


async def test_a_re_resolved_issue_gets_a_new_version_and_keeps_the_old(
    client: httpx.AsyncClient, db: Database
) -> None:
    org = await make_org(db)
    chat = await conversation(client, org, db)
    await claim_and_resolve(client, org, chat.issue_id)
    # The customer writes again: the Issue reopens; then it is resolved again.
    reopened = await send(client, chat.auth, chat.issue_id, body="It came broken, actually")
    assert reopened.status_code == 201
    await claim_and_resolve(client, org, chat.issue_id)

    files = await files_of(client, org, chat.issue_id)
    assert sorted({f["version"] for f in files}) == [1, 2]
    assert len(files) == 8
    public_pdfs = {
        f["version"]: pdf_text((await fetch(client, org, f)).content)
        for f in files
        if (f["room"], f["format"]) == ("public", "pdf")
    }
    assert "It came broken" not in public_pdfs[1]
    assert "It came broken" in public_pdfs[2]
    assert "My parcel #4411" in public_pdfs[2]


async def test_transcripts_apply_the_organizations_redaction_patterns(
    client: httpx.AsyncClient, db: Database
) -> None:
    org = await make_org(db)
    added = await client.post(
        "/api/v1/redaction-patterns",
        json={"name": "Account numbers", "pattern": r"ACC-\d{6}"},
        headers=org.auth(org.admin),
    )
    assert added.status_code == 201, added.text
    card = "4111 1111 1111 1111"  # passes the Luhn check
    chat = await start_chat(client, org, message=f"Card {card}, account ACC-123456")
    await send(client, org.auth(org.ana), chat.issue_id, "private", "Customer's ACC-123456 is VIP")
    await claim_and_resolve(client, org, chat.issue_id)

    for item in await files_of(client, org, chat.issue_id):
        content = (await fetch(client, org, item)).content
        text = pdf_text(content) if item["format"] == "pdf" else content.decode()
        # Any four digits of the card may also appear in a timestamp: look for the card.
        assert card not in text and "1111 1111" not in text and "ACC-123456" not in text
        assert "[redacted]" in text
    copy = await client.get(f"/api/v1/issues/{chat.issue_id}/transcript", headers=chat.auth)
    assert card not in pdf_text(copy.content) and "[redacted]" in pdf_text(copy.content)
