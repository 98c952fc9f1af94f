"""Files in the console: attach by button or drop with the limits shown first,
uploads that survive a network drop exactly once, and the Issue's files panel
with the transcripts filed on resolution."""

from __future__ import annotations

import httpx
import pytest
from playwright.async_api import Browser, Page, expect

from caseroom.storage.uow import Database
from tests.builders import make_org, start_chat
from tests.e2e.conftest import Server
from tests.e2e.console import console_page, no_page_errors, sign_in

pytestmark = [pytest.mark.browser]

DROP = """([selector, name, size]) => {
  const data = new DataTransfer();
  const bytes = new Uint8Array(size).fill(65);
  data.items.add(new File([bytes], name, { type: "application/octet-stream" }));
  const zone = document.querySelector(selector);
  for (const type of ["dragenter", "dragover", "drop"]) {
    const init = { dataTransfer: data, bubbles: true, cancelable: true };
    zone.dispatchEvent(new DragEvent(type, init));
  }
}"""


async def drop_file(page: Page, name: str, size: int) -> None:
    await page.evaluate(DROP, ["#panel-public .timeline", name, size])


async def attachment_names(
    http: httpx.AsyncClient, issue_id: str, headers: dict[str, str]
) -> list[str]:
    response = await http.get(f"/api/v1/issues/{issue_id}/attachments", headers=headers)
    assert response.status_code == 200, response.text
    return sorted(a["filename"] for a in response.json()["items"])


async def test_files_attach_by_button_or_drop_within_the_limits_shown_first(
    web_server: Server, web_db: Database, web_http: httpx.AsyncClient, browser: Browser
) -> None:
    org = await make_org(web_db)
    chat = await start_chat(web_http, org, name="Priya Shah", message="The upload fails")
    limits = (await web_http.get("/api/v1/limits")).json()
    shown = (
        f"Up to {limits['max_files_per_message']} files, {limits['max_file_bytes'] >> 20} MB each"
    )
    context, page = await console_page(browser, web_server.url)
    await sign_in(page, org.ana)
    await page.goto(f"{web_server.url}/console#/unclaimed/{chat.issue_id}")
    await expect(page.locator("#panel-public[data-live=true]")).to_be_attached()

    composer = page.locator(".composer-public")
    attach = composer.get_by_role("button", name="Attach files")
    await expect(attach).to_have_accessible_name(f"Attach files. {shown}")
    await composer.locator("input[type=file]").set_input_files(
        files=[{"name": "steps.txt", "mimeType": "text/plain", "buffer": b"1. open 2. upload"}]
    )
    await drop_file(page, "crash.log", 2048)
    tray = composer.locator(".tray")
    await expect(tray.locator(".file-chip .file-name")).to_have_text(["steps.txt", "crash.log"])
    await expect(tray.locator(".tray-limits")).to_have_text(shown)

    # Over the limit: marked at once, and the message waits until it is removed.
    await drop_file(page, "video.mov", limits["max_file_bytes"] + 1)
    too_big = tray.locator(".file-chip-error")
    await expect(too_big).to_contain_text("Too large")
    send = composer.get_by_role("button", name="Send message")
    await expect(send).to_be_disabled()
    await too_big.get_by_role("button", name="Remove video.mov").click()
    await expect(send).to_be_enabled()

    box = page.get_by_label("Reply to the Customer")
    await box.fill("Thanks, these help.")
    await box.press("Enter")
    sent = page.locator(".timeline-public .msg-mine[data-seq]")
    await expect(sent.locator(".file-name")).to_have_text(["steps.txt", "crash.log"])
    assert await attachment_names(web_http, chat.issue_id, chat.auth) == ["crash.log", "steps.txt"]
    panel = page.get_by_role("complementary", name="Issue files")
    await expect(panel.locator(".file-title")).to_have_text(["crash.log", "steps.txt"])

    # The network drops during an upload: it is retried with its key and lands once.
    await context.set_offline(True)
    await drop_file(page, "retry.bin", 4096)
    await box.press("Enter")
    await expect(page.locator(".msg-pending .pending-status")).to_contain_text("Offline")
    await context.set_offline(False)
    await expect(page.locator(".msg-pending")).to_have_count(0)
    await expect(panel.locator(".file-title")).to_have_text(["retry.bin", "crash.log", "steps.txt"])
    assert await attachment_names(web_http, chat.issue_id, chat.auth) == [
        "crash.log",
        "retry.bin",
        "steps.txt",
    ]
    no_page_errors(page)


async def test_private_files_stay_private_and_transcripts_are_filed_on_resolving(
    web_server: Server, web_db: Database, web_http: httpx.AsyncClient, browser: Browser
) -> None:
    org = await make_org(web_db)
    chat = await start_chat(web_http, org, name="Lee Chen", message="Invoice for March?")
    _, page = await console_page(browser, web_server.url)
    await sign_in(page, org.ana)
    await page.goto(f"{web_server.url}/console#/unclaimed/{chat.issue_id}")
    await page.get_by_role("tab", name="Private").click()
    private = page.locator(".composer-private")
    await private.locator("input[type=file]").set_input_files(
        files=[{"name": "ledger.csv", "mimeType": "text/csv", "buffer": b"march,120.00"}]
    )
    await page.get_by_label("Message your colleagues (private)").press("Enter")
    panel = page.get_by_role("complementary", name="Issue files")
    await expect(panel.locator(".file-row")).to_contain_text("Private")
    assert await attachment_names(web_http, chat.issue_id, org.auth(org.ben)) == ["ledger.csv"]
    assert await attachment_names(web_http, chat.issue_id, chat.auth) == []

    await (
        page.get_by_role("group", name="Issue actions").get_by_role("button", name="Claim").click()
    )
    await (
        page.get_by_role("group", name="Issue actions")
        .get_by_role("button", name="Resolve")
        .click()
    )
    await expect(page.locator("#issue-status")).to_have_text("Resolved")
    transcript = panel.locator(".transcript")
    await expect(transcript.locator(".transcript-head strong")).to_have_text("Version 1")
    await expect(transcript.locator(".transcript-link")).to_have_text(
        ["HTML", "PDF", "HTML", "PDF"]
    )
    pdf = transcript.locator(".transcript-room", has_text="Public room").get_by_text("PDF")
    response = await page.request.get(web_server.url + str(await pdf.get_attribute("href")))
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    no_page_errors(page)
