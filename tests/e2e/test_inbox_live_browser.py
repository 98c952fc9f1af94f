"""Never miss a message, in Chromium: inbox cards follow every message (preview,
a file by its name, an unread count), desktop notifications for a new Issue and
a mention, opening a mention lands on it; the Customer's rating on the Issue;
the `?` list of shortcuts."""

from __future__ import annotations

import httpx
import pytest
from playwright.async_api import Browser, expect

from caseroom.storage.uow import Database
from tests.builders import make_org, send, start_chat, upload
from tests.e2e.conftest import Server
from tests.e2e.console import DESKTOP, card, no_page_errors, sign_in

pytestmark = [pytest.mark.browser]

# Records what the page asks the browser to notify (the real Notification is kept).
RECORD_NOTIFICATIONS = """
window.__notified = [];
const Real = window.Notification;
window.Notification = class extends Real {
  constructor(title, options) { super(title, options); window.__notified.push(title); }
  static get permission() { return Real.permission; }
  static requestPermission() { return Real.requestPermission(); }
};
"""


async def test_cards_notifications_mentions_rating_and_shortcuts(
    web_server: Server, web_db: Database, web_http: httpx.AsyncClient, browser: Browser
) -> None:
    org = await make_org(web_db)
    chat = await start_chat(web_http, org, name="Lee Park", message="Hello there")
    issue = (
        await web_http.get(f"/api/v1/issues/{chat.issue_id}", headers=org.auth(org.ana))
    ).json()
    context = await browser.new_context(viewport=DESKTOP)  # type: ignore[arg-type]
    await context.grant_permissions(["notifications"], origin=web_server.url)
    await context.add_init_script(RECORD_NOTIFICATIONS)
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.errors = errors  # type: ignore[attr-defined]
    await page.goto(f"{web_server.url}/console")
    await sign_in(page, org.ana)
    await page.get_by_role("button", name="Notification preferences").click()
    await page.get_by_label("Desktop notifications").check()
    await page.get_by_role("button", name="Notification preferences").click()

    # Every message moves the card: the newest words, a file by its name, a count.
    lee = card(page, issue["reference"])
    await expect(lee).to_contain_text("Hello there")
    assert (
        await send(web_http, chat.auth, chat.issue_id, body="Are you there?")
    ).status_code == 201
    await expect(lee.locator(".card-preview")).to_have_text("Are you there?")
    await expect(lee.locator(".unread-chip")).to_have_text("1 new message")
    sent = await upload(web_http, chat.auth, chat.issue_id, [("receipt.pdf", b"%PDF-1.4")])
    assert sent.status_code == 201, sent.text
    await expect(lee.locator(".card-preview")).to_have_text("receipt.pdf")
    await expect(lee.locator(".unread-chip")).to_have_text("2 new messages")

    # A new Unclaimed Issue and a mention each raise a desktop notification.
    other = await start_chat(web_http, org, name="Kim", message="New here")
    reference = (
        await web_http.get(f"/api/v1/issues/{other.issue_id}", headers=org.auth(org.ana))
    ).json()["reference"]
    await expect(card(page, reference)).to_be_visible()
    mention = await send(
        web_http, org.auth(org.ben), chat.issue_id, room="private", body="@[Ana Agent] look here"
    )
    assert mention.status_code == 201
    await expect(page.locator("#queue-mentions .count")).to_have_text("1")
    notified = await page.evaluate("window.__notified")
    assert f"New Issue #{reference}" in notified
    assert "Ben Agent mentioned you" in notified

    # Opening the mention lands on the mentioned message in the private room.
    await page.locator("#queue-mentions").click()
    await card(page, issue["reference"]).click()
    await expect(page.get_by_role("tab", name="Private")).to_have_attribute("aria-selected", "true")
    landed = page.locator(f'.timeline-private [data-id="{mention.json()["id"]}"]')
    await expect(landed).to_be_focused()
    await expect(lee.locator(".unread-chip")).to_have_count(0)

    # The Customer's rating shows on the Issue.
    await web_http.post(f"/api/v1/issues/{chat.issue_id}/claim", headers=org.auth(org.ana))
    await web_http.post(f"/api/v1/issues/{chat.issue_id}/resolve", headers=org.auth(org.ana))
    rated = await web_http.put(
        f"/api/v1/issues/{chat.issue_id}/rating", json={"score": 5}, headers=chat.auth
    )
    assert rated.status_code == 200
    await expect(page.locator("#issue-rating")).to_have_text("★ 5/5")

    # "?" lists the shortcuts; Esc closes the list.
    await page.locator("body").press("?")
    await expect(page.get_by_role("dialog", name="Keyboard shortcuts")).to_be_visible()
    await page.keyboard.press("Escape")
    await expect(page.get_by_role("dialog")).to_have_count(0)
    no_page_errors(page)
