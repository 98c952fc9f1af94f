"""Using the console the way people do: keyboard only, on a phone, and watching
the waiting time of a Customer nobody has answered yet."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest
from playwright.async_api import Browser, Page, expect

from caseroom.storage.uow import Database
from tests.builders import make_org, send, start_chat
from tests.e2e.conftest import Server
from tests.e2e.console import PHONE, card, console_page, no_page_errors, sign_in

pytestmark = [pytest.mark.browser]

UNNAMED_CONTROLS = """() => [
  ...document.querySelectorAll('button, a[href], input, select, textarea')]
  .filter(el => el.offsetParent !== null)
  .filter(el => {
    const named = el.getAttribute('aria-label') || el.getAttribute('aria-labelledby')
      || (el.labels && el.labels.length) || el.textContent.trim() || el.getAttribute('title');
    return !named;
  })
  .map(el => el.outerHTML.slice(0, 120))"""


async def unnamed_controls(page: Page) -> list[str]:
    found: list[str] = await page.evaluate(UNNAMED_CONTROLS)
    return found


async def reference_of(http: httpx.AsyncClient, issue_id: str, headers: dict[str, str]) -> str:
    response = await http.get(f"/api/v1/issues/{issue_id}", headers=headers)
    return str(response.json()["reference"])


async def test_inbox_and_composer_work_from_the_keyboard_alone(
    web_server: Server, web_db: Database, web_http: httpx.AsyncClient, browser: Browser
) -> None:
    org = await make_org(web_db)
    chat = await start_chat(web_http, org, name="Priya Shah", message="The app crashes")
    reference = await reference_of(web_http, chat.issue_id, org.auth(org.ana))
    _, page = await console_page(browser, web_server.url)
    keyboard = page.keyboard

    await expect(page.get_by_label("Work email")).to_be_focused()
    await keyboard.type(org.ana.email)
    await keyboard.press("Tab")
    await keyboard.type("correct horse battery")
    await keyboard.press("Enter")
    await expect(page.locator("#connection")).to_have_text("Live")
    assert await unnamed_controls(page) == []

    await expect(card(page, reference)).to_be_focused()  # the keyboard starts in the inbox
    await keyboard.press("c")  # claim
    await expect(page.locator("#queue-mine .count")).to_have_text("1")

    await page.locator("#queue-unclaimed").focus()
    await keyboard.press("ArrowDown")
    await expect(page.locator("#queue-mine")).to_be_focused()
    await keyboard.press("Enter")
    await expect(page.locator("#queue-title")).to_have_text("Mine")
    await keyboard.press("ArrowRight")
    await expect(card(page, reference)).to_be_focused()
    await keyboard.press("Enter")

    reply = page.get_by_label("Reply to the Customer")
    await expect(reply).to_be_focused()
    await keyboard.type("Which phone do you use?")
    await keyboard.press("Enter")
    await expect(page.locator(".timeline-public .msg-mine[data-seq] .bubble")).to_have_text(
        "Which phone do you use?"
    )
    await keyboard.press("Alt+N")
    await expect(page.get_by_label("Log note (agents only)")).to_be_focused()
    await keyboard.type("Probably the Android 15 upload bug.")
    await keyboard.press("Enter")
    await expect(page.locator(".timeline-public .msg[data-seq] .note")).to_contain_text(
        "Android 15 upload bug"
    )
    assert await unnamed_controls(page) == []

    await page.locator("#tab-public").focus()
    await keyboard.press("ArrowRight")
    await expect(page.locator("#tab-private")).to_be_focused()
    await expect(page.locator("#tab-private")).to_have_attribute("aria-selected", "true")
    no_page_errors(page)


async def test_the_console_reads_well_at_phone_width(
    web_server: Server, web_db: Database, web_http: httpx.AsyncClient, browser: Browser
) -> None:
    org = await make_org(web_db)
    chat = await start_chat(
        web_http, org, name="Lee Chen", message="Can I get an invoice for March?"
    )
    reference = await reference_of(web_http, chat.issue_id, org.auth(org.ana))
    _, page = await console_page(browser, web_server.url, viewport=PHONE)
    await sign_in(page, org.ana)
    overflow = "() => document.documentElement.scrollWidth - window.innerWidth"
    assert await page.evaluate(overflow) <= 0
    assert await unnamed_controls(page) == []

    await card(page, reference).click()
    await expect(page.locator(".issue-title")).to_have_text("Can I get an invoice for March?")
    await expect(page.locator(".queue-pane")).to_be_hidden()
    composer = page.get_by_label("Reply to the Customer")
    await expect(composer).to_be_in_viewport()
    assert await page.evaluate(overflow) <= 0
    assert await unnamed_controls(page) == []
    await composer.fill("Sure, sending it now.")
    await composer.press("Enter")
    await expect(page.locator(".timeline-public .msg-mine[data-seq] .bubble")).to_have_text(
        "Sure, sending it now."
    )

    await page.get_by_role("button", name="Back to the inbox").click()
    await expect(card(page, reference)).to_be_visible()
    no_page_errors(page)


async def test_waiting_time_turns_amber_then_red_until_an_agent_replies(
    web_server: Server, web_db: Database, web_http: httpx.AsyncClient, browser: Browser
) -> None:
    org = await make_org(web_db)
    chat = await start_chat(web_http, org, name="Sam Novak", message="Hello? Anyone there?")
    reference = await reference_of(web_http, chat.issue_id, org.auth(org.ana))
    _, page = await console_page(browser, web_server.url)
    await sign_in(page, org.ana)
    waiting = card(page, reference).locator(".waiting")
    await expect(waiting).to_be_visible()
    await expect(waiting).not_to_have_class("waiting waiting-amber")

    # The browser's clock moves on; the waiting time is read from it every second.
    now = datetime.now(UTC)
    await page.clock.set_fixed_time(now + timedelta(minutes=6))
    await expect(waiting).to_have_class("waiting waiting-amber")
    await expect(waiting.locator(".waiting-time")).to_contain_text("6m")
    await page.clock.set_fixed_time(now + timedelta(minutes=11))
    await expect(waiting).to_have_class("waiting waiting-red")

    response = await send(web_http, org.auth(org.ben), chat.issue_id, body="Hi Sam, Ben here.")
    assert response.status_code == 201
    await expect(waiting).to_have_count(0)  # answered: the card stops counting
    # The first reply claimed the Unclaimed Issue for Ben (the organization's default).
    await expect(card(page, reference)).to_have_count(0)
    no_page_errors(page)
