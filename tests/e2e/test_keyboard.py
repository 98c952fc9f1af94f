"""The console and the chat without a mouse and without eyes: every control is
reached with Tab and shows that it has the focus, Esc does what the console's help
says and the focus goes back where it came from, and a screen reader hears each
new message and who is typing once, never the whole timeline again."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import websockets
from playwright.async_api import Frame, Locator, Page, expect

from tests.builders import send
from tests.e2e.a11y_world import NARROW, World, branded, chat_frame, shop, start_talking, world
from tests.e2e.console import card

pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="module")]
__all__ = ["world"]  # the module's fixture

# Still pictures: no caret blinking, no pulsing waiting clock, no fading.
STILL = "*, *::before, *::after { caret-color: transparent !important; animation: none !important;"
STILL += " transition: none !important; }"


async def hold_still(page: Page) -> None:
    """No caret blink, animation or transition in the pictures. An adopted sheet,
    built through the CSSOM: the pages' policy allows no inline <style>."""
    await page.evaluate(
        """(css) => { const sheet = new CSSStyleSheet(); sheet.replaceSync(css);
        document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet]; }""",
        STILL,
    )


FOCUSABLE = """() => {
  document.querySelectorAll("[data-stop]").forEach((el) => delete el.dataset.stop);
  return [...document.querySelectorAll(
    "a[href], button:not([disabled]), input:not([type=hidden]), select, textarea, [tabindex]"
  )].filter((el) => el.tabIndex >= 0 && el.checkVisibility({ visibilityProperty: true })
    && !el.closest("[inert], [aria-hidden=true]"))
   .map((el, i) => { el.dataset.stop = String(i); return String(i); });
}"""

# The focused element's stop; one drawn since the list was made gets a new one.
NEXT_STOP = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  el.dataset.stop ??= `new-${document.querySelectorAll("[data-stop]").length}`;
  return el.dataset.stop;
}"""

# What a screen reader is told: text that appears inside a live region.
LISTEN = """() => {
  window.spoken = [];
  const live = (node) => {
    for (let el = node.nodeType === 1 ? node : node.parentElement; el; el = el.parentElement) {
      const polite = el.getAttribute("aria-live");
      if (polite === "off") return false;
      if (polite === "polite" || polite === "assertive") return true;
      if (["log", "status", "alert"].includes(el.getAttribute("role"))) return true;
    }
    return false;
  };
  new MutationObserver((records) => {
    for (const record of records) {
      const nodes = record.type === "characterData" ? [record.target] : [...record.addedNodes];
      for (const node of nodes) {
        const text = node.textContent.trim();
        if (text && live(node)) window.spoken.push(text);
      }
    }
  }).observe(document.body, { subtree: true, childList: true, characterData: true });
}"""


async def around(page: Page, target: Locator, margin: int) -> bytes:
    box = await target.bounding_box()
    assert box, "the focused control is not on screen"
    clip = {
        "x": max(0, box["x"] - margin),
        "y": max(0, box["y"] - margin),
        "width": box["width"] + 2 * margin,
        "height": box["height"] + 2 * margin,
    }
    return await page.screenshot(clip=clip)  # type: ignore[arg-type]


async def focus_shows(page: Page, target: Locator) -> bool:
    """The control looks different focused from unfocused (then it has the focus back)."""
    focused = await around(page, target, 16)
    await target.evaluate("(el) => el.blur()")
    unfocused = await around(page, target, 16)
    await target.focus()
    return focused != unfocused


async def tab_through(page: Page) -> tuple[list[str], list[str]]:
    """Tab from the top of the page until the focus comes round again: the stops, in
    order, and those whose focus does not show."""
    await hold_still(page)
    await page.mouse.move(0, 0)
    expected: list[str] = await page.evaluate(FOCUSABLE)
    await page.mouse.click(1, 1)  # the top left corner: Tab starts from the top
    await page.mouse.move(0, 0)
    stops: list[str] = []
    unseen: list[str] = []
    for _ in range(len(expected) + 5):
        await page.keyboard.press("Tab")
        stop = await page.evaluate(NEXT_STOP)
        if stop is None or stop in stops:
            break
        stops.append(stop)
        focused = page.locator(f"[data-stop='{stop}']")
        if not await focus_shows(page, focused):
            unseen.append(await focused.evaluate("(el) => el.outerHTML.slice(0, 120)"))
    return stops, unseen


async def test_every_control_of_an_issue_is_reached_with_tab_and_shows_its_focus(
    world: World,
) -> None:
    page = await world.issue()
    stops, unseen = await tab_through(page)
    expected = await page.evaluate(
        "() => [...document.querySelectorAll('[data-stop]')].map((el) => el.dataset.stop)"
    )
    assert set(stops) == set(expected)
    assert unseen == []
    await page.context.close()


async def test_every_control_of_the_inbox_and_the_sign_in_shows_its_focus(world: World) -> None:
    page = await world.page(agent=world.org.ana.id)
    await page.goto(f"{world.server.url}/console#/unclaimed")
    await expect(page.locator(".card")).not_to_have_count(0)
    await expect(page.locator("#connection")).to_have_text("Live")  # and the queues re-read
    stops, unseen = await tab_through(page)
    assert len(stops) > 10 and unseen == []
    await page.context.close()
    page = await world.page()
    await page.goto(f"{world.server.url}/console")
    await expect(page.get_by_label("Work email")).to_be_focused()
    stops, unseen = await tab_through(page)
    assert len(stops) >= 4 and unseen == []
    await page.context.close()


async def test_every_control_of_the_chat_shows_its_focus(world: World) -> None:
    org = await branded(world)
    page = await world.page(bypass_csp=True)  # to hold the pictures still
    await page.goto(f"{world.server.url}/connect/{org.slug}")
    await expect(page.get_by_label("Your name")).to_be_visible()
    stops, unseen = await tab_through(page)  # the form
    assert len(stops) >= 3 and unseen == []
    issue_id = await start_talking(world, page, org)
    await send(world.http, org.auth(org.ana), issue_id, body="https://example.com/help")
    await expect(page.get_by_role("link", name="https://example.com/help")).to_be_visible()
    stops, unseen = await tab_through(page)
    assert len(stops) >= 4 and unseen == []
    await page.context.close()


async def test_ghost_buttons_and_the_composer_show_their_focus(
    world: World, screenshots: Path
) -> None:
    """Pictures of the text-style buttons with the focus, and of the composer."""
    page = await world.issue()
    await hold_still(page)
    await page.mouse.move(0, 0)
    watch = page.locator(".head-actions").get_by_role("button", name="Unwatch")
    await watch.focus()
    await page.keyboard.press("Shift+Tab")
    await page.keyboard.press("Tab")  # the focus arrives by keyboard, as it shows then
    await expect(watch).to_be_focused()
    await page.screenshot(path=screenshots / "focus-ghost-button.png", clip=await head(page))
    await page.get_by_role("button", name="Close the files panel").focus()
    files_head = await box_of(page.locator(".files-head"), 4)
    await page.screenshot(path=screenshots / "focus-files-close.png", clip=files_head)
    ghost_open = card(page, world.maria_reference).get_by_role("button", name="Open")
    await ghost_open.focus()
    await page.screenshot(
        path=screenshots / "focus-card-button.png",
        clip=await box_of(card(page, world.maria_reference), 12),
    )
    reply = page.get_by_label("Reply to the Customer")
    await reply.focus()
    composer = page.locator(".composer-public")
    await page.screenshot(path=screenshots / "focus-composer.png", clip=await box_of(composer, 12))
    await page.keyboard.press("Alt+n")
    await page.screenshot(
        path=screenshots / "focus-composer-note.png", clip=await box_of(composer, 12)
    )
    await page.context.close()


async def box_of(target: Locator, margin: int) -> dict[str, float]:
    box = await target.bounding_box()
    assert box
    return {
        "x": box["x"] - margin,
        "y": box["y"] - margin,
        "width": box["width"] + 2 * margin,
        "height": box["height"] + 2 * margin,
    }


async def head(page: Page) -> dict[str, float]:
    return await box_of(page.locator(".issue-head"), 0)


# -- Esc, and where the focus goes ------------------------------------------------------------


async def test_escape_in_the_composer_goes_back_to_the_inbox_and_keeps_the_draft(
    world: World,
) -> None:
    page = await world.issue()
    reply = page.get_by_label("Reply to the Customer")
    await reply.fill("Half a thought")
    await reply.press("Escape")
    await expect(page).to_have_url(f"{world.server.url}/console#/watching")
    await expect(card(page, world.maria_reference)).to_be_focused()
    await page.keyboard.press("Enter")
    await expect(page.get_by_label("Reply to the Customer")).to_have_value("Half a thought")
    await expect(page.get_by_label("Reply to the Customer")).to_be_focused()
    await page.context.close()


async def test_escape_closes_a_picker_first_and_the_focus_goes_back_where_it_was(
    world: World,
) -> None:
    page = await world.issue()
    issue_url = page.url
    bolt = page.locator(".composer-public").get_by_role("button", name="Canned")
    await bolt.focus()
    await page.keyboard.press("Enter")
    search = page.get_by_label("Search canned responses")
    await expect(search).to_be_focused()
    await page.keyboard.press("Escape")
    await expect(search).to_be_hidden()
    await expect(bolt).to_be_focused()  # opened from the button: back on the button
    assert page.url == issue_url

    reply = page.get_by_label("Reply to the Customer")
    await reply.press("/")
    await expect(search).to_be_focused()
    await page.keyboard.press("Escape")
    await expect(reply).to_be_focused()  # opened from the text: back in the text

    await page.get_by_role("tab", name="Private").click()
    private = page.get_by_label("Message your colleagues (private)")
    await private.press_sequentially("@b")
    await expect(page.get_by_role("option", name="Ben Okafor")).to_be_visible()
    await private.press("Escape")
    await expect(page.get_by_role("option", name="Ben Okafor")).to_be_hidden()
    await expect(private).to_be_focused()
    assert page.url == issue_url
    await page.context.close()


async def test_the_files_panel_over_the_timeline_takes_and_gives_back_the_focus(
    world: World,
) -> None:
    page = await world.issue(NARROW)
    files = page.locator(".head-actions").get_by_role("button", name="Files")
    await files.focus()
    await page.keyboard.press("Enter")
    close = page.get_by_role("button", name="Close the files panel")
    await expect(close).to_be_focused()
    await expect(files).to_have_attribute("aria-expanded", "true")
    await page.keyboard.press("Escape")
    await expect(page.locator("#files-panel")).to_be_hidden()
    await expect(files).to_be_focused()
    await expect(files).to_have_attribute("aria-expanded", "false")
    await page.keyboard.press("Enter")
    await expect(close).to_be_focused()
    await page.keyboard.press("Enter")
    await expect(files).to_be_focused()
    assert world.maria.issue_id in page.url  # still in the Issue
    await page.context.close()


# -- what a screen reader hears ------------------------------------------------------------------


async def test_a_new_message_and_typing_are_said_once_in_the_console(world: World) -> None:
    quiet, chat = world.quiet, world.quiet_chat
    page = await world.page(agent=quiet.ana.id)
    await page.goto(f"{world.server.url}/console#/unclaimed/{chat.issue_id}")
    await expect(page.locator(".panel-public")).to_have_attribute("data-live", "true")
    await page.evaluate(LISTEN)
    async with websockets.connect(world.server.ws_url) as socket:
        await socket.send(json.dumps({"type": "hello", "token": quiet.tokens[quiet.ben.id]}))
        while json.loads(await socket.recv())["type"] != "ready":
            pass
        frame = {"type": "typing", "issue_id": chat.issue_id, "room": "public"}
        await socket.send(json.dumps(frame))
        await expect(page.locator(".timeline-public .typing")).to_have_text("Ben is typing…")
        await page.wait_for_timeout(2500)  # the typing line is redrawn each second meanwhile
    await send(world.http, chat.auth, chat.issue_id, body="Are you there?")
    await expect(page.locator(".timeline-public .bubble").last).to_have_text("Are you there?")
    await page.wait_for_function(
        "(said) => window.spoken.includes(said)", arg="Lee Park: Are you there?"
    )
    spoken = await page.evaluate("() => window.spoken")
    assert spoken == ["Ben is typing…", "Lee Park: Are you there?"]
    await page.context.close()


async def test_a_reply_is_said_once_in_the_chat(world: World) -> None:
    page, org = await shop(world)
    await page.get_by_role("button", name="Open chat with Northwind").click()
    chat: Frame = await chat_frame(page)
    await chat.get_by_label("Your name").fill("Jane Doe")
    await chat.get_by_label("Email or phone").fill("jane@example.com")
    await chat.get_by_role("button", name="Start chat").click()
    box = chat.get_by_role("textbox", name="Message")
    await box.fill("Hi! Is the Ridge 38 waterproof?")
    await box.press("Enter")
    await expect(chat.locator(".msg[data-id]")).to_have_count(1)
    await chat.evaluate(LISTEN)
    listed = await world.http.get(
        "/api/v1/issues", params={"queue": "unclaimed"}, headers=org.auth(org.ana)
    )
    (issue,) = listed.json()["items"]
    await send(world.http, org.auth(org.ana), issue["id"], body="It is, up to 10,000 mm.")
    await expect(chat.locator(".msg.theirs .bubble")).to_have_text("It is, up to 10,000 mm.")
    await box.fill("Great, thanks!")
    await box.press("Enter")
    await expect(chat.locator(".msg[data-id]")).to_have_count(3)
    spoken = await chat.evaluate("() => window.spoken")
    assert spoken == [f"{org.ana.name}: It is, up to 10,000 mm."]
    await page.context.close()
