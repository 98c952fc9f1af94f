"""Every page and state of the console and the customer chat, checked by axe-core:
no violation of WCAG 2.0/2.1 A and AA or of axe's best practices. A page that is
added to caseroom gets a state here."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import pytest_asyncio
from playwright.async_api import Browser, BrowserContext, Frame, Page, async_playwright, expect

from caseroom.storage.uow import Database
from tests.builders import Chat, Org, identity_secret, identity_token, make_org, send, start_chat
from tests.components import require_chromium
from tests.e2e.accessibility import assert_accessible, violations
from tests.e2e.conftest import CHROMIUM_ARGS, Server, open_database
from tests.e2e.console import DESKTOP, PHONE, sign_in
from tests.e2e.lived_in import CANNED, lived_in

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="module")]

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

    async def context(self, viewport: dict[str, int] = DESKTOP, agent: str = "") -> BrowserContext:
        state = self.signed_in[agent] if agent else None
        return await self.browser.new_context(viewport=viewport, storage_state=state)  # type: ignore[arg-type]

    async def page(self, viewport: dict[str, int] = DESKTOP, agent: str = "") -> Page:
        context = await self.context(viewport, agent)
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
        for who, agent in [("ana", org.ana), ("ben", org.ben), ("quiet", quiet.ana)]:
            context = await browser.new_context()
            page = await context.new_page()
            await page.goto(f"{web_server.url}/console")
            await sign_in(page, agent)
            built.signed_in[agent.id] = await context.storage_state()
            await context.close()
            del who
        yield built
        await browser.close()


# -- the console ---------------------------------------------------------------------------

State = Callable[[World], Awaitable[Page | Frame]]


async def sign_in_page(world: World) -> Page:
    page = await world.page()
    await page.goto(f"{world.server.url}/console")
    await expect(page.get_by_label("Work email")).to_be_focused()
    return page


async def sign_in_refused(world: World) -> Page:
    page = await sign_in_page(world)
    await page.get_by_label("Work email").fill(world.org.ana.email)
    await page.get_by_label("Password").fill("not the password")
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.get_by_role("alert")).to_have_text("Wrong email or password.")
    return page


def queue(name: str, agent: str = "ana") -> State:
    async def state(world: World) -> Page:
        who = {"ana": world.org.ana, "ben": world.org.ben}[agent]
        page = await world.page(agent=who.id)
        await page.goto(f"{world.server.url}/console#/{name}")
        await expect(page.locator("#queue-count")).not_to_be_empty()
        await expect(page.locator("#connection")).to_have_text("Live")
        return page

    return state


async def public_room(world: World) -> Page:
    page = await world.issue()
    await expect(page.locator(".file-thumb img")).to_have_js_property("complete", True)
    await expect(page.locator(".transcript")).to_have_count(1)
    return page


async def private_room(world: World) -> Page:
    page = await world.issue()
    await page.get_by_role("tab", name="Private").click()
    await expect(page.locator(".timeline-private .mention")).to_have_text("@Ben Okafor")
    return page


async def note_composer(world: World) -> Page:
    page = await world.issue()
    await page.get_by_label("Reply to the Customer").press("Alt+n")
    await page.get_by_label("Log note (agents only)").fill("Follow up on Monday.")
    return page


async def canned_picker(world: World) -> Page:
    page = await world.issue()
    await page.get_by_label("Reply to the Customer").press("/")
    await expect(page.locator(".canned-item")).to_have_count(len(CANNED))
    await expect(page.locator(".canned-filled")).not_to_contain_text("Filling in")
    return page


async def canned_no_match(world: World) -> Page:
    page = await canned_picker(world)
    await page.get_by_label("Search canned responses").fill("nothing like this")
    await expect(page.locator(".canned-empty")).to_have_text("No canned response matches.")
    return page


async def canned_none_yet(world: World) -> Page:
    page = await world.page(agent=world.quiet.ana.id)
    await page.goto(f"{world.server.url}/console#/unclaimed/{world.quiet_chat.issue_id}")
    await expect(page.locator(".panel-public")).to_have_attribute("data-live", "true")
    await page.get_by_label("Reply to the Customer").press("/")
    await expect(page.locator(".canned-empty")).to_contain_text("No canned responses yet")
    return page


async def mention_suggestions(world: World) -> Page:
    page = await private_room(world)
    await page.get_by_label("Message your colleagues (private)").press_sequentially("Thanks @b")
    await expect(page.get_by_role("option", name="Ben Okafor")).to_be_visible()
    return page


async def files_over_the_timeline(world: World) -> Page:
    page = await world.issue(NARROW)
    await page.locator(".head-actions").get_by_role("button", name="Files").click()
    await expect(page.locator(".transcript")).to_have_count(1)
    return page


async def offline(world: World) -> Page:
    page = await world.issue()
    await page.context.set_offline(True)
    await expect(page.locator("#connection")).to_have_text("Offline")
    await expect(page.get_by_role("alert")).to_contain_text("You are offline")
    return page


async def phone_inbox(world: World) -> Page:
    page = await world.page(PHONE, world.org.ana.id)
    await page.goto(f"{world.server.url}/console#/unclaimed")
    await expect(page.locator(".card")).not_to_have_count(0)
    return page


async def phone_issue(world: World) -> Page:
    return await world.issue(PHONE)


async def phone_canned(world: World) -> Page:
    page = await world.issue(PHONE)
    await page.get_by_label("Reply to the Customer").press("/")
    await expect(page.locator(".canned-item")).to_have_count(len(CANNED))
    return page


# -- the customer side ------------------------------------------------------------------------


async def branded(world: World) -> Org:
    org = await make_org(world.db, name="Northwind Outfitters")
    changed = await world.http.patch(
        "/api/v1/settings/widget", json=LOOK, headers=org.auth(org.admin)
    )
    assert changed.status_code == 200, changed.text
    return org


def chat_frame(page: Page) -> Frame:
    (frame,) = [f for f in page.frames if "/widget/" in f.url]
    return frame


async def shop(world: World) -> tuple[Page, Org]:
    from tests.e2e.site import shop_site

    org = await branded(world)
    page = await world.page()
    site = shop_site(world.server.url, org.slug)
    address = site.__enter__()
    page.context.on("close", lambda _: site.__exit__(None, None, None))
    await page.goto(address)
    await expect(page.get_by_role("button", name="Open chat with Northwind")).to_be_visible()
    return page, org


async def widget_closed(world: World) -> Page:
    page, _ = await shop(world)
    return page


async def widget_form(world: World) -> Frame:
    page, _ = await shop(world)
    await page.get_by_role("button", name="Open chat with Northwind").click()
    await expect(page.locator("iframe")).to_have_css("opacity", "1")
    frame = chat_frame(page)
    await expect(frame.get_by_label("Your name")).to_be_focused()
    return frame


async def start_talking(world: World, chat: Page | Frame, org: Org) -> None:
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


async def widget_conversation(world: World) -> Frame:
    page, org = await shop(world)
    await page.get_by_role("button", name="Open chat with Northwind").click()
    frame = chat_frame(page)
    await start_talking(world, frame, org)
    return frame


async def embed_form(world: World) -> Page:
    org = await branded(world)
    page = await world.page()
    await page.goto(f"{world.server.url}/embed/{org.slug}")
    await expect(page.get_by_label("Your name")).to_be_visible()
    return page


async def embed_signed_in(world: World) -> Page:
    org = await branded(world)
    secret = await identity_secret(world.http, org)
    page = await world.page()
    token = identity_token(secret, external_id="app-7", name="Kim Lee", email="kim@example.com")
    await page.goto(f"{world.server.url}/embed/{org.slug}#identity_token={token}")
    await expect(page.get_by_role("textbox", name="Message")).to_be_visible()
    return page


async def connect_form(world: World) -> Page:
    org = await branded(world)
    page = await world.page(PHONE)
    await page.goto(f"{world.server.url}/connect/{org.slug}")
    await expect(page.get_by_label("Your name")).to_be_visible()
    return page


async def connect_conversation(world: World) -> Page:
    org = await branded(world)
    page = await world.page(PHONE)
    await page.goto(f"{world.server.url}/connect/{org.slug}")
    await start_talking(world, page, org)
    return page


async def connect_wide(world: World) -> Page:
    org = await branded(world)
    page = await world.page()
    await page.goto(f"{world.server.url}/connect/{org.slug}")
    await expect(page.get_by_label("Your name")).to_be_visible()
    return page


async def embed_refused(world: World) -> Page:
    org = await branded(world)
    page = await world.page()
    await page.goto(f"{world.server.url}/embed/{org.slug}#identity_token=not.a.token")
    await expect(
        page.get_by_role("heading", name="We couldn't confirm who you are")
    ).to_be_visible()
    return page


STATES: dict[str, State] = {
    "sign-in": sign_in_page,
    "sign-in-refused": sign_in_refused,
    "inbox-unclaimed": queue("unclaimed"),
    "inbox-mine": queue("mine"),
    "inbox-watching": queue("watching"),
    "inbox-mentions": queue("mentions", agent="ben"),
    "issue-public-room": public_room,
    "issue-private-room": private_room,
    "composer-log-note": note_composer,
    "canned-picker": canned_picker,
    "canned-no-match": canned_no_match,
    "canned-none-yet": canned_none_yet,
    "mention-suggestions": mention_suggestions,
    "files-panel-over-timeline": files_over_the_timeline,
    "offline": offline,
    "phone-inbox": phone_inbox,
    "phone-issue": phone_issue,
    "phone-canned-picker": phone_canned,
    "widget-closed": widget_closed,
    "widget-form": widget_form,
    "widget-conversation": widget_conversation,
    "embed-form": embed_form,
    "embed-signed-in": embed_signed_in,
    "connect-phone-form": connect_form,
    "connect-phone-conversation": connect_conversation,
    "connect-wide": connect_wide,
    "embed-identity-refused": embed_refused,
}


@pytest.mark.parametrize("name", list(STATES))
async def test_every_page_and_state_has_no_accessibility_violation(world: World, name: str) -> None:
    target = await STATES[name](world)
    page = target if isinstance(target, Page) else target.page
    try:
        await page.mouse.move(0, 0)
        await assert_accessible(target)
        assert page.errors == []  # type: ignore[attr-defined]
    finally:
        await page.context.close()


async def test_the_check_fails_on_text_too_faint_to_read(world: World) -> None:
    page = await sign_in_page(world)
    try:
        await page.add_style_tag(content=".signin-card h1 { color: #c4c8d0; }")
        found = await violations(page)
        assert [v["id"] for v in found] == ["color-contrast"]
        (node,) = found[0]["nodes"]
        assert "Sign in to the console" in node["html"]
        with pytest.raises(AssertionError, match="color-contrast"):
            await assert_accessible(page)
    finally:
        await page.context.close()
