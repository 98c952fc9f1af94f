"""The console with a lived-in organization, at desktop and phone width. Run with
CASEROOM_SCREENSHOTS=docs/screenshots to (re)write the README's pictures."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from playwright.async_api import Browser, Page, expect

from caseroom.storage.uow import Database
from tests.e2e.conftest import Server
from tests.e2e.console import PHONE, console_page, no_page_errors, sign_in
from tests.e2e.lived_in import CANNED, WAITING, lived_in

pytestmark = [pytest.mark.browser]


async def save(page: Page, folder: Path, name: str) -> None:
    await page.mouse.move(0, 0)  # no hover effects in the picture
    await page.wait_for_timeout(300)  # let the last transition settle in the picture
    await page.screenshot(path=folder / f"console-{name}.png")


async def test_the_console_with_a_busy_inbox_and_a_conversation(
    web_server: Server,
    web_db: Database,
    web_http: httpx.AsyncClient,
    browser: Browser,
    screenshots: Path,
) -> None:
    org, maria = await lived_in(web_server, web_db, web_http, browser)
    _, page = await console_page(browser, web_server.url)
    await sign_in(page, org.ana)
    await page.goto(f"{web_server.url}/console#/unclaimed/{maria.issue_id}")
    timeline = page.locator(".timeline-public")
    await expect(timeline.locator(".bubble").last).to_have_text("Thank you, that is kind!")
    await expect(page.locator(".waiting.waiting-red")).to_have_count(1)
    await expect(page.locator(".waiting.waiting-amber")).to_have_count(1)
    await expect(page.locator(".transcript")).to_have_count(1)  # filed on the resolution
    await expect(page.locator(".file-thumb img")).to_have_js_property("complete", True)
    await save(page, screenshots, "inbox")

    await page.get_by_role("tab", name="Private").click()
    await expect(page.locator(".timeline-private .mention")).to_have_text("@Ben Okafor")
    await save(page, screenshots, "private-room")

    box = page.get_by_label("Message your colleagues (private)")
    await box.press_sequentially("Thanks @b")
    await expect(page.get_by_role("option", name="Ben Okafor")).to_be_visible()
    await save(page, screenshots, "mention")
    await box.fill("")

    await page.get_by_role("tab", name="Public").click()
    await page.get_by_label("Reply to the Customer").press("/")
    await expect(page.locator(".canned-item")).to_have_count(len(CANNED))
    await page.keyboard.press("ArrowDown")  # Closing, then Delivery delayed (by title)
    await expect(page.locator(".canned-filled")).to_contain_text("Hi Maria, I'm sorry")
    await save(page, screenshots, "canned")
    await page.keyboard.press("Escape")

    await page.locator(".composer-public").get_by_role("button", name="Log note").click()
    await page.get_by_label("Log note (agents only)").fill(
        "Voucher THANKS10 sent; follow up Monday."
    )
    await save(page, screenshots, "composer-note")
    no_page_errors(page)


async def test_the_console_on_a_phone(
    web_server: Server,
    web_db: Database,
    web_http: httpx.AsyncClient,
    browser: Browser,
    screenshots: Path,
) -> None:
    org, maria = await lived_in(web_server, web_db, web_http, browser)
    _, page = await console_page(browser, web_server.url, viewport=PHONE)
    await sign_in(page, org.ana)
    await expect(page.locator(".card")).to_have_count(len(WAITING))
    await save(page, screenshots, "phone-inbox")
    await page.goto(f"{web_server.url}/console#/mine/{maria.issue_id}")
    await expect(page.locator(".timeline-public .bubble").last).to_have_text(
        "Thank you, that is kind!"
    )
    await save(page, screenshots, "phone-issue")
    no_page_errors(page)
