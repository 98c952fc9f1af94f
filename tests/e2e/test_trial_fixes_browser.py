"""What a trial found, fixed, in Chromium: the sign-in page asks the API nothing
before sign-in; an over-long message is announced and never sent or cut (console
and widget); the private room's composer has no log-note toggle (everything there
is for agents); the Issue header fits a phone; the widget shows the desk online
or away from agents' consoles."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
import websockets
from playwright.async_api import Browser, Request, expect

from caseroom.storage.uow import Database
from tests.builders import make_org, start_chat
from tests.e2e.conftest import Server
from tests.e2e.console import PHONE, console_page, no_page_errors, sign_in

pytestmark = [pytest.mark.browser]

LIMIT = 20_000  # the server's default max_message_chars


async def test_sign_in_limits_private_composer_and_phone_header(
    web_server: Server,
    web_db: Database,
    web_http: httpx.AsyncClient,
    browser: Browser,
    screenshots: Path,
) -> None:
    org = await make_org(web_db)
    chat = await start_chat(web_http, org, name="Lee Park", message="Hello there")

    context = await browser.new_context()
    page = await context.new_page()
    asked: list[str] = []
    page.on("request", lambda r: asked.append(r.url) if "/api/" in r.url else None)
    await page.goto(f"{web_server.url}/console")
    await expect(page.get_by_label("Work email")).to_be_visible()
    assert asked == []  # nothing authenticated before sign-in
    await context.close()

    _, page = await console_page(browser, web_server.url)
    await sign_in(page, org.ana)
    await page.goto(f"{web_server.url}/console#/unclaimed/{chat.issue_id}")
    reply = page.get_by_label("Reply to the Customer")
    sent: list[Request] = []
    page.on(
        "request", lambda r: sent.append(r) if r.method == "POST" and "/messages" in r.url else None
    )
    too_long = "x" * (LIMIT + 1)
    await reply.fill(too_long)
    counter = page.locator("#public-composer-count")
    await expect(counter).to_have_text(f"1 characters over the limit of {LIMIT}")
    await expect(page.locator(".composer-public .send")).to_be_disabled()
    await reply.press("Enter")
    assert await reply.input_value() == too_long  # kept, not cleared
    assert sent == []
    await reply.fill("x" * (LIMIT - 10))
    await expect(counter).to_have_text(f"{LIMIT - 10} / {LIMIT}")
    await reply.fill("")

    await page.get_by_role("tab", name="Private").click()
    private = page.locator(".composer-private")
    await expect(private.get_by_role("button", name="Log note")).to_be_hidden()
    await expect(page.locator(".composer-public .tool-note")).to_be_attached()
    no_page_errors(page)

    _, phone = await console_page(browser, web_server.url, viewport=PHONE)
    await sign_in(phone, org.ana)
    await phone.goto(f"{web_server.url}/console#/unclaimed/{chat.issue_id}")
    await expect(phone.locator("#issue-title")).to_be_visible()
    assert await phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    controls = phone.locator(".head-actions button, #issue-owner, #issue-priority")
    assert await controls.count() >= 5
    for control in await controls.all():
        box = await control.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    await phone.screenshot(path=screenshots / "console-phone-header.png")
    no_page_errors(phone)


async def test_the_widget_never_cuts_a_message_and_asks_for_a_rating(
    web_server: Server, web_http: httpx.AsyncClient, web_db: Database, browser: Browser
) -> None:
    org = await make_org(web_db)
    page = await (await browser.new_context()).new_page()
    await page.goto(f"{web_server.url}/connect/{org.slug}")
    # Online or away from agents' consoles, not a fixed green dot.
    await expect(page.locator("#subtitle")).to_have_attribute("data-state", "away")
    async with websockets.connect(web_server.ws_url) as console_socket:
        await console_socket.send(json.dumps({"type": "hello", "token": org.tokens[org.ana.id]}))
        while json.loads(await console_socket.recv())["type"] != "ready":
            pass
        await page.reload()
        await expect(page.locator("#subtitle")).to_have_attribute("data-state", "online")
        await expect(page.locator("#subtitle")).to_contain_text("Online")
    await page.get_by_label("Your name").fill("Sam Rivera")
    await page.get_by_label("Email or phone").fill("sam@example.com")
    await page.get_by_role("button", name="Start chat").click()
    box = page.get_by_role("textbox", name="Message")
    await expect(box).to_be_visible()
    await box.fill("y" * (LIMIT + 5))
    assert len(await box.input_value()) == LIMIT + 5  # nothing cut silently
    await expect(page.locator("#char-count")).to_contain_text("5 characters over the limit")
    await expect(page.locator("#send")).to_be_disabled()

    # Resolved: the Customer is asked how it went, and the rating reaches the Issue.
    await box.fill("Thanks, that is all")
    await box.press("Enter")
    listed = await web_http.get(
        "/api/v1/issues", params={"queue": "unclaimed"}, headers=org.auth(org.ana)
    )
    (issue,) = listed.json()["items"]
    ana = org.auth(org.ana)
    await web_http.post(f"/api/v1/issues/{issue['id']}/claim", headers=ana)
    await web_http.post(f"/api/v1/issues/{issue['id']}/resolve", headers=ana)
    rating = page.locator("#rating")
    await expect(rating).to_be_visible()
    await rating.get_by_role("radio", name="4 of 5").click()
    await rating.get_by_label("A comment (optional)").fill("Quick and kind")
    await rating.get_by_role("button", name="Send rating").click()
    await expect(rating.get_by_role("status")).to_have_text("Thank you for your rating!")
    stored = await web_http.get(f"/api/v1/issues/{issue['id']}/rating", headers=ana)
    assert (stored.json()["score"], stored.json()["comment"]) == (4, "Quick and kind")
