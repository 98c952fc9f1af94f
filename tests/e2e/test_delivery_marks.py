"""Delivery and read marks, live in two browsers: an agent in the console and a
Customer in the widget on a shop's site. The agent sees a reply delivered when
the Customer's device has it and read once the Customer looks; the Customer sees
"Seen" once an agent has read their message. A reply by SMS that no provider
could send says why and offers a retry. Run with CASEROOM_SCREENSHOTS=docs/screenshots
to (re)write the picture."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from playwright.async_api import Browser, expect

from caseroom.storage.uow import Database
from tests.builders import make_org
from tests.e2e.conftest import Server
from tests.e2e.console import card, console_page, no_page_errors, sign_in
from tests.e2e.site import shop_site

pytestmark = [pytest.mark.browser]

SHOP = "Northwind Outfitters"
FIRST = "Hi! My Ridge 38 pack arrived with a broken zip. Can you help?"
REPLY = "So sorry, Priya! A replacement zip kit ships today, free of charge."
THANKS = "That's perfect, thank you!"
BY_SMS = "I've also texted you the tracking number."
BYE = "Enjoy the trip, and write any time if the zip gives you trouble."


async def test_an_agent_sees_a_reply_delivered_then_read_and_the_customer_sees_seen(
    browser: Browser, web_server: Server, web_db: Database, web_http: httpx.AsyncClient,
    screenshots: Path,
) -> None:  # fmt: skip
    org = await make_org(web_db, name=SHOP, people_names=("Alex Admin", "Ana Ruiz", "Ben Okafor"))
    set_up = await web_http.put(
        "/api/v1/settings/channels/sms",
        json={"config": {"from_number": "+14155550000"}, "secrets": {"auth_token": "tok"}},
        headers=org.auth(org.admin),
    )
    assert set_up.status_code == 200, set_up.text

    shopper = await browser.new_context(viewport={"width": 1100, "height": 760})
    site = await shopper.new_page()
    with shop_site(web_server.url, org.slug) as shop:
        await site.goto(shop)
        launcher = site.locator("button[aria-label*='chat with Northwind Outfitters']")
        await launcher.click()
        chat = site.frame_locator("iframe[title*='Northwind Outfitters']")
        await chat.get_by_label("Your name").fill("Priya Shah")
        await chat.get_by_label("Email or phone").fill("+1 415 555 0123")
        await chat.get_by_role("button", name="Start chat").click()
        await chat.get_by_role("textbox", name="Message").fill(FIRST)
        await chat.get_by_role("textbox", name="Message").press("Enter")
        mine = chat.locator(".msg.mine[data-id]").filter(has_text=FIRST)
        await expect(mine).to_be_visible()
        await expect(chat.locator(".meta .seen")).to_have_count(0)  # no agent has looked yet

        # The agent opens the Issue: their console reports reading it.
        listed = await web_http.get(
            "/api/v1/issues", params={"queue": "unclaimed"}, headers=org.auth(org.ana)
        )
        (issue,) = listed.json()["items"]
        _, console = await console_page(browser, web_server.url)
        await sign_in(console, org.ana)
        await card(console, issue["reference"]).click()
        await console.locator(".issue-head [data-action=claim]").click()
        public = console.locator(".timeline-public")
        await expect(public.locator(".msg[data-seq]").filter(has_text=FIRST)).to_be_visible()
        await expect(mine.locator(".meta .seen")).to_have_text("Seen")

        # The composer offers this Customer's channels, starting on the one they wrote through.
        channel = console.locator(".composer-public .channel-select")
        await expect(channel).to_have_value("chat")
        await expect(channel.locator("option")).to_have_text(
            ["Chat", "SMS", "Email — not set up for this organization"]
        )

        # With the chat minimized, the reply reaches the device but is not read yet.
        await launcher.click()
        await expect(site.locator("iframe[title*='Northwind Outfitters']")).to_have_css(
            "opacity", "0"
        )
        reply_box = console.get_by_label("Reply to the Customer")
        await reply_box.fill(REPLY)
        await reply_box.press("Enter")
        reply = public.locator(".msg-mine[data-seq]").filter(has_text=REPLY)
        await expect(reply.locator(".msg-mark")).to_have_text("Delivered")
        await expect(chat.locator("#timeline").get_by_text(REPLY)).to_be_attached()

        # The Customer opens the chat and sees it: the agent's mark turns to "Read".
        await launcher.click()
        await expect(chat.locator("#timeline").get_by_text(REPLY)).to_be_visible()
        await expect(reply.locator(".msg-mark")).to_have_text("Read")
        await expect(reply.locator(".msg-mark")).to_have_attribute("data-state", "read")

        # The Customer answers while the agent has the room open: "Seen" moves along.
        await chat.get_by_role("textbox", name="Message").fill(THANKS)
        await chat.get_by_role("textbox", name="Message").press("Enter")
        thanks = chat.locator(".msg.mine[data-id]").filter(has_text=THANKS)
        await expect(thanks.locator(".meta .seen")).to_have_text("Seen")
        await expect(chat.locator(".meta .seen")).to_have_count(1)

        # A reply by SMS from a number whose account is not set up fails, says why,
        # and can be retried.
        await channel.select_option("sms")
        await reply_box.fill(BY_SMS)
        await reply_box.press("Enter")
        texted = public.locator(".msg-mine[data-seq]").filter(has_text=BY_SMS)
        failed = texted.locator(".mark-item[data-channel=sms]")
        await expect(failed).to_have_attribute("data-state", "failed")
        await expect(failed).to_contain_text(
            "Not sent by SMS: SMS is not fully set up (missing account_sid)"
        )
        async with console.expect_response(lambda r: r.url.endswith("/retry")) as retried:
            await failed.get_by_role("button", name="Retry sending by SMS").click()
        assert (await retried.value).status == 200
        await expect(failed).to_have_attribute("data-state", "failed")
        await site.screenshot(path=screenshots / "widget-seen.png")

        # Back on chat, with the panel closed again: delivered, not read.
        await launcher.click()
        await channel.select_option("chat")
        await reply_box.fill(BYE)
        await reply_box.press("Enter")
        bye = public.locator(".msg-mine[data-seq]").filter(has_text=BYE)
        await expect(bye.locator(".msg-mark")).to_have_text("Delivered")
        await expect(site.locator("button[aria-label*='(1 new)']")).to_be_visible()
        await expect(reply.locator(".msg-mark")).to_have_text("Read")
        await console.evaluate("id => { location.hash = `#/mine/${id}`; }", issue["id"])
        await expect(card(console, issue["reference"])).to_be_visible()
        # The Customer's page has the conversation open; sessions repeat that with
        # each heartbeat, so a console opened later learns it within one.
        presence = console.locator(".issue-head .presence")
        await expect(presence).to_have_text("Online", timeout=45_000)
        await expect(card(console, issue["reference"]).locator(".presence")).to_have_text("Online")
        await console.screenshot(path=screenshots / "console-delivery-marks.png")
        await site.close()  # the Customer leaves
        await expect(presence).to_have_text("Left")

    no_page_errors(console)
    await shopper.close()
