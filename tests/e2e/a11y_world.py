"""What the accessibility and keyboard tests look at, built once per module: a
lived-in organization, a quiet one without canned responses, agents already
signed in, and the customer side on a branded organization."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest_asyncio
from playwright.async_api import Browser, BrowserContext, Frame, Page, async_playwright, expect

from caseroom.storage.uow import Database
from tests.builders import Chat, Org, make_org, send, start_chat
from tests.components import require_chromium
from tests.e2e.conftest import CHROMIUM_ARGS, Server, open_database
from tests.e2e.console import DESKTOP, sign_in
from tests.e2e.lived_in import lived_in
from tests.e2e.site import shop_site

LOOK = {"color": "#0f766e", "title": "Questions? Ask us.", "greeting": "Hi! How can we help?"}
NARROW = {"width": 1024, "height": 800}


@dataclass
class World:
    """What the states look at, built once for the module."""

    server: Server
    browser: Browser
    db: Database
    http: httpx.AsyncClient
    org: Org  # lived in
    maria: Chat
    quiet: Org  # no canned responses
    quiet_chat: Chat
    signed_in: dict[str, Any]  # browser storage per agent id
    maria_reference: str = ""

    async def context(
        self, viewport: dict[str, int] = DESKTOP, agent: str = "", **options: Any
    ) -> BrowserContext:
        state = self.signed_in[agent] if agent else None
        return await self.browser.new_context(viewport=viewport, storage_state=state, **options)  # type: ignore[arg-type]

    async def page(
        self, viewport: dict[str, int] = DESKTOP, agent: str = "", **options: Any
    ) -> Page:
        """A page in a fresh context; `options` for the context (e.g. bypass_csp)."""
        context = await self.context(viewport, agent, **options)
        page = await context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.errors = errors  # type: ignore[attr-defined]
        return page

    async def issue(self, viewport: dict[str, int] = DESKTOP, agent: str = "") -> Page:
        """Maria's Issue open in the console."""
        page = await self.page(viewport, agent or self.org.ana.id)
        await page.goto(f"{self.server.url}/console#/watching/{self.maria.issue_id}")
        await expect(page.locator(".timeline-public .bubble").last).to_have_text(
            "Thank you, that is kind!"
        )
        await expect(page.locator(".panel-public")).to_have_attribute("data-live", "true")
        return page


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def world(web_server: Server) -> AsyncIterator[World]:
    async with (
        async_playwright() as playwright,
        open_database(web_server.database_url) as db,
        httpx.AsyncClient(base_url=web_server.url, timeout=30) as http,
    ):
        browser = await playwright.chromium.launch(
            executable_path=require_chromium(), args=CHROMIUM_ARGS
        )
        org, maria = await lived_in(web_server, db, http, browser)
        quiet = await make_org(db)
        quiet_chat = await start_chat(http, quiet, name="Lee Park", message="Is the shop open?")
        built = World(web_server, browser, db, http, org, maria, quiet, quiet_chat, {})
        issue = await http.get(f"/api/v1/issues/{maria.issue_id}", headers=org.auth(org.ana))
        built.maria_reference = str(issue.json()["reference"])
        for who, agent in [
            ("ana", org.ana), ("ben", org.ben), ("quiet", quiet.ana), ("admin", org.admin),
        ]:  # fmt: skip
            context = await browser.new_context()
            page = await context.new_page()
            await page.goto(f"{web_server.url}/console")
            await sign_in(page, agent)
            built.signed_in[agent.id] = await context.storage_state()
            await context.close()
            del who
        yield built
        await browser.close()


async def branded(world: World) -> Org:
    org = await make_org(world.db, name="Northwind Outfitters")
    changed = await world.http.patch(
        "/api/v1/settings/widget", json=LOOK, headers=org.auth(org.admin)
    )
    assert changed.status_code == 200, changed.text
    return org


async def chat_frame(page: Page) -> Frame:
    """The widget's chat, once its page has loaded in the iframe."""
    element = await page.wait_for_selector("iframe")
    frame = await element.content_frame()
    assert frame
    await frame.wait_for_url("**/widget/**")
    await frame.wait_for_load_state()
    return frame


async def shop(world: World) -> tuple[Page, Org]:
    org = await branded(world)
    page = await world.page()
    site = shop_site(world.server.url, org.slug)
    address = site.__enter__()
    page.context.on("close", lambda _: site.__exit__(None, None, None))
    await page.goto(address)
    await expect(page.get_by_role("button", name="Open chat with Northwind")).to_be_visible()
    return page, org


async def start_talking(world: World, chat: Page | Frame, org: Org) -> str:
    """A visitor starts a conversation and an agent answers; the Issue's id."""
    await chat.get_by_label("Your name").fill("Jane Doe")
    await chat.get_by_label("Email or phone").fill("jane@example.com")
    await chat.get_by_role("button", name="Start chat").click()
    box = chat.get_by_role("textbox", name="Message")
    await box.fill("Hi! My pack arrived with a broken zip.")
    await box.press("Enter")
    await expect(chat.locator(".msg[data-id]")).to_have_count(1)
    listed = await world.http.get(
        "/api/v1/issues", params={"queue": "unclaimed"}, headers=org.auth(org.ana)
    )
    (issue,) = listed.json()["items"]
    await send(world.http, org.auth(org.ana), issue["id"], body="Sorry to hear that! A photo?")
    await expect(chat.locator(".msg.theirs .bubble")).to_have_text("Sorry to hear that! A photo?")
    return str(issue["id"])
