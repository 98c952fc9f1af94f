"""Where the Customer wrote from, end to end in Chromium: a conversation started on
the Connect page shows "Connect page" in the agent's Customer panel (and
"Connect-Seite" in a German console), one started from the site's widget shows
"Site widget"."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from playwright.async_api import Browser, Page, expect

from caseroom.storage.uow import Database
from tests.builders import Org, make_org
from tests.e2e.conftest import Server
from tests.e2e.console import console_page, no_page_errors, sign_in
from tests.e2e.site import shop_site
from tests.e2e.test_console_languages import sign_in_german
from tests.e2e.test_widget_browser import only_issue, say

pytestmark = [pytest.mark.browser]


async def the_panel_says(page: Page, server: Server, issue_id: str, label: str, text: str) -> None:
    await page.goto(f"{server.url}/console#/all/{issue_id}")
    panel = page.locator("#customer-panel")
    await expect(panel.locator(".cp-row", has_text=label).locator("dd")).to_have_text(text)


async def an_org(db: Database) -> Org:
    return await make_org(db, name="Northwind Outfitters")


async def test_a_connect_page_conversation_shows_the_connect_page_in_the_panel(
    browser: Browser, web_server: Server, web_db: Database, web_http: httpx.AsyncClient,
    screenshots: Path,
) -> None:  # fmt: skip
    org = await an_org(web_db)
    phone = await browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    customer = await phone.new_page()
    await customer.goto(f"{web_server.url}/connect/{org.slug}")
    await customer.get_by_label("Your name").fill("Sam Rivera")
    await customer.get_by_label("Email or phone").fill("sam.rivera@example.com")
    await customer.get_by_role("button", name="Start chat").click()
    await say(customer, "Do the Trailhead boots run true to size?")
    issue_id = await only_issue(web_http, org)

    context, page = await console_page(browser, web_server.url)
    await sign_in(page, org.ana)
    await the_panel_says(page, web_server, issue_id, "This Issue from", "Connect page")
    await the_panel_says(page, web_server, issue_id, "Wrote from", "Connect page")
    no_page_errors(page)
    await context.close()

    german, seite = await console_page(browser, web_server.url, locale="de-DE")
    await sign_in_german(seite, org.ben)
    await the_panel_says(seite, web_server, issue_id, "Dieses Issue über", "Connect-Seite")
    await seite.screenshot(path=str(screenshots / "customer-panel-surface-de.png"))
    no_page_errors(seite)
    await german.close()
    await phone.close()


async def test_a_widget_conversation_shows_the_site_widget_in_the_panel(
    browser: Browser, web_server: Server, web_db: Database, web_http: httpx.AsyncClient
) -> None:
    org = await an_org(web_db)
    visitor = await browser.new_context(viewport={"width": 1280, "height": 800})
    site = await visitor.new_page()
    with shop_site(web_server.url, org.slug) as shop:
        await site.goto(shop)
        await site.get_by_role("button", name="Open chat with Northwind Outfitters").click()
        chat = site.frame_locator("iframe[title*='Northwind Outfitters']")
        await chat.get_by_label("Your name").fill("Jane Doe")
        await chat.get_by_label("Email or phone").fill("jane.doe@example.com")
        await chat.get_by_role("button", name="Start chat").click()
        await say(chat, "My Ridge 38 pack arrived with a broken zip.")
    issue_id = await only_issue(web_http, org)

    context, page = await console_page(browser, web_server.url)
    await sign_in(page, org.ana)
    await the_panel_says(page, web_server, issue_id, "This Issue from", "Site widget")
    no_page_errors(page)
    await context.close()
    await visitor.close()
