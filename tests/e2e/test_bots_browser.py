"""Bots in real browsers: a Customer in the widget talks to the welcome bot, taps
a topic, gets an article, asks for a person; the agent's console shows the whole
exchange as the bot's, with the hand-off note; in the private room `#` offers the
bots, `#summary` answers, and a `#kb` suggestion is sent to the Customer once,
as the agent's own message."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
from playwright.async_api import Browser, expect

from caseroom.storage.uow import Database
from tests.builders import Org, make_org
from tests.e2e.conftest import Server
from tests.e2e.console import console_page, no_page_errors, sign_in
from tests.e2e.site import shop_site


async def welcome_org(db: Database, http: httpx.AsyncClient) -> Org:
    org = await make_org(db, name="Northwind Outfitters")
    admin = org.auth(org.admin)
    always = {"hours": "Mon-Sun 00:00-24:00", "timezone": "UTC"}
    assert (
        await http.patch(f"/api/v1/admin/teams/{org.team.id}", json=always, headers=admin)
    ).is_success
    bot = {
        "name": "Ava",
        "greeting": "Hi, I am Ava, Northwind's virtual assistant. I can answer right away "
        "or find you a person.",
        "topics": [{"label": "Returns", "team_id": org.team.id},
                   {"label": "Sizing", "team_id": org.team.id}],
    }  # fmt: skip
    assert (await http.put("/api/v1/admin/welcome-bot", json=bot, headers=admin)).is_success
    for title, body in (
        ("Returns and exchanges", "Return anything within **60 days**: open *Orders*, choose "
         "Return, print the label. Exchanges ship as soon as the return is scanned."),
        ("Sizing guide", "Measure your chest and waist; our sizes run true."),
    ):  # fmt: skip
        made = await http.post(
            "/api/v1/articles", json={"title": title, "body": body, "published": True},
            headers=admin,
        )  # fmt: skip
        assert made.status_code == 201
    return org


async def test_the_welcome_bot_in_the_widget_and_its_exchange_in_the_console(
    browser: Browser, web_server: Server, web_db: Database, web_http: httpx.AsyncClient,
    screenshots: Path,
) -> None:  # fmt: skip
    org = await welcome_org(web_db, web_http)
    context = await browser.new_context(viewport={"width": 1280, "height": 860})
    page = await context.new_page()
    with shop_site(web_server.url, org.slug) as shop:
        await page.goto(shop)
        await page.get_by_role("button", name="Open chat with Northwind Outfitters").click()
        chat = page.frame_locator("iframe[title*='Northwind Outfitters']")
        await chat.get_by_label("Your name").fill("Jane Doe")
        await chat.get_by_label("Email or phone").fill("jane@example.com")
        await chat.get_by_role("button", name="Start chat").click()
        box = chat.get_by_role("textbox", name="Message")
        await box.fill("Hello!")
        await box.press("Enter")
        timeline = chat.locator("#timeline")
        await expect(
            timeline.get_by_text("I am Ava, Northwind's virtual assistant")
        ).to_be_visible()
        await chat.get_by_role("button", name="Returns").click()
        await expect(timeline.get_by_text("Returns and exchanges")).to_be_visible()
        await expect(chat.get_by_role("button", name="Returns")).to_be_disabled()  # spent
        await page.screenshot(path=screenshots / "widget-welcome-bot.png")
        await chat.get_by_role("button", name="Talk to a person").last.click()
        await expect(timeline.get_by_text("connected with a person")).to_be_visible()
    await context.close()

    _, console = await console_page(browser, web_server.url)
    await sign_in(console, org.ana)
    await console.locator(".card", has_text="Jane Doe").click()
    public = console.locator(".timeline-public")
    await expect(public.locator(".author-bot .bubble").first).to_contain_text("I am Ava")
    await expect(public.locator(".bot-choice", has_text="Returns")).to_be_visible()
    await expect(public.locator(".author-bot .tag-bot").first).to_have_text("Bot")
    await console.screenshot(path=screenshots / "console-bot-history.png")
    await console.locator("#tab-private").click()
    private = console.locator(".timeline-private")
    await expect(private).to_contain_text("Ava handed this Issue to a person")

    text = console.get_by_label("Message your colleagues (private)")
    await text.fill("#su")
    await expect(console.locator(".bot-menu")).to_contain_text("#summary")
    await text.press("Enter")
    await expect(text).to_have_value("#summary ")
    await text.press("Enter")
    summary = private.locator(".author-bot .bubble", has_text="Summary of the public room")
    await expect(summary).to_contain_text("Method: extractive")
    await console.screenshot(path=screenshots / "console-summary.png")

    await text.fill("#kb return label")
    await text.press("Enter")
    suggestion = private.locator(".msg.author-bot", has_text="Article 1 of")
    send = suggestion.get_by_role(
        "button", name="Send this suggestion to the Customer, as your message"
    )
    await send.click()
    await expect(suggestion.locator(".suggest-sent")).to_have_text("Sent to the Customer")
    await console.locator("#tab-public").click()
    mine = public.locator(
        ".msg-mine .bubble", has_text="This article may help: Returns and exchanges"
    )
    await expect(mine).to_have_count(1)
    no_page_errors(console)

    # The admin's screens for the same setup.
    _, admin = await console_page(browser, web_server.url)
    await sign_in(admin, org.admin)
    await admin.goto(f"{web_server.url}/console#/admin/bots")
    await expect(admin.get_by_label("Greeting")).to_have_value(re.compile("I am Ava"))
    topics = admin.get_by_role("textbox", name="Topics")
    await expect(topics).to_have_value("Returns = Support\nSizing = Support")
    await expect(admin.get_by_role("table", name="Webhook deliveries")).to_be_visible()
    await admin.screenshot(path=screenshots / "admin-bots.png")
    await admin.goto(f"{web_server.url}/console#/admin/knowledge")
    table = admin.get_by_role("table", name="Knowledge articles")
    await expect(table.get_by_role("link", name="Returns and exchanges")).to_be_visible()
    no_page_errors(admin)
