"""Every page and state of the console and the customer chat, checked by axe-core:
no violation of WCAG 2.0/2.1 A and AA or of axe's best practices. A page that is
added to caseroom gets a state here."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest
from playwright.async_api import Frame, Page, expect

from tests.builders import identity_secret, identity_token
from tests.e2e.a11y_world import NARROW, World, branded, chat_frame, shop, start_talking, world
from tests.e2e.accessibility import assert_accessible, violations
from tests.e2e.console import PHONE
from tests.e2e.lived_in import CANNED

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="module")]
__all__ = ["world"]  # the module's fixture

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


async def widget_closed(world: World) -> Page:
    page, _ = await shop(world)
    return page


async def widget_form(world: World) -> Frame:
    page, _ = await shop(world)
    await page.get_by_role("button", name="Open chat with Northwind").click()
    await expect(page.locator("iframe")).to_have_css("opacity", "1")
    frame = await chat_frame(page)
    await expect(frame.get_by_label("Your name")).to_be_focused()
    return frame


async def widget_conversation(world: World) -> Frame:
    page, org = await shop(world)
    await page.get_by_role("button", name="Open chat with Northwind").click()
    frame = await chat_frame(page)
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


def admin_screen(section: str, ready: str) -> State:
    """An admin screen of the console, once its section has loaded (`ready`)."""

    async def state(world: World) -> Page:
        page = await world.page(agent=world.org.admin.id)
        await page.goto(f"{world.server.url}/console#/admin/{section}")
        await expect(page.locator(f"#admin-tab-{section}")).to_have_attribute(
            "aria-selected", "true"
        )
        await expect(page.locator(ready).first).to_be_visible()
        return page

    return state


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
    "admin-agents": admin_screen("agents", "#admin-agents tbody tr"),
    "admin-teams": admin_screen("teams", ".admin-body table, .admin-body form"),
    "admin-canned": admin_screen("canned", ".admin-body form"),
    "admin-tokens": admin_screen("tokens", ".admin-body form"),
    "admin-widget": admin_screen("widget", ".admin-body .preview-stage"),
    "admin-redaction": admin_screen("redaction", ".admin-body form"),
    "admin-channels": admin_screen("channels", ".admin-body .channel-form"),
    "admin-audit": admin_screen("audit", ".admin-body table, .admin-body .empty"),
    "admin-knowledge": admin_screen("knowledge", ".admin-body form"),
    "admin-bots": admin_screen("bots", ".admin-body table"),
    "admin-sent-mail": admin_screen("sent-mail", "#admin-sent-mail"),
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
        # Set through the CSSOM: the console's policy allows no inline <style>.
        await page.locator(".signin-card h1").evaluate("h => (h.style.color = '#c4c8d0')")
        found = await violations(page)
        assert [v["id"] for v in found] == ["color-contrast"]
        (node,) = found[0]["nodes"]
        assert "Sign in to the console" in node["html"]
        with pytest.raises(AssertionError, match="color-contrast"):
            await assert_accessible(page)
    finally:
        await page.context.close()
