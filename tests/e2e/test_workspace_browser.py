"""The agent's workspace in Chromium: search from the inbox (with `/`), the
Customer panel, handing an Issue to a colleague, Claim opening the Issue, and
dark mode. Run with CASEROOM_SCREENSHOTS=docs/screenshots to rewrite the
README's pictures."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from playwright.async_api import Browser, expect

from caseroom.storage.uow import Database
from tests.builders import start_chat
from tests.e2e.conftest import Server
from tests.e2e.console import card, console_page, no_page_errors, sign_in
from tests.e2e.lived_in import lived_in
from tests.e2e.test_console_screenshots import save

pytestmark = [pytest.mark.browser]


async def test_search_customer_panel_and_hand_over(
    web_server: Server,
    web_db: Database,
    web_http: httpx.AsyncClient,
    browser: Browser,
    screenshots: Path,
) -> None:
    org, maria = await lived_in(web_server, web_db, web_http, browser)
    _, page = await console_page(browser, web_server.url)
    await sign_in(page, org.ana)

    # "/" focuses the search; words from the private room find the Issue, marked.
    await page.keyboard.press("/")
    search = page.get_by_label("Search Issues")
    await expect(search).to_be_focused()
    await search.fill("carrier milan")
    hit = page.locator(".card", has_text="Maria Rossi")
    await expect(page.locator(".card")).to_have_count(1)
    await expect(hit.locator("mark")).to_have_text(["carrier", "Milan"])
    await expect(hit.locator(".card-match")).to_contain_text("Private:")
    await expect(page.locator("#queue-count")).to_have_text("1 Issue found")
    await save(page, screenshots, "search")

    # Views list the whole history; filters combine with them.
    await search.fill("")
    await page.locator("#queue-open").click()
    await expect(page.locator("#queue-title")).to_have_text("Open")
    await page.get_by_role("button", name="Filters").click()
    await page.get_by_label("Owner").select_option(org.ana.id)
    await expect(page.locator(".card")).to_have_count(1)
    await page.get_by_label("Owner").select_option("")

    # The Customer panel: details, verified or not, earlier Issues, notes, edits.
    await page.goto(f"{web_server.url}/console#/all/{maria.issue_id}")
    panel = page.locator("#customer-panel")
    await expect(panel).to_contain_text("maria.rossi@example.com")
    await expect(panel.locator(".cp-unverified")).to_have_text("Not verified")
    await expect(panel.locator(".cp-issue")).to_have_count(1)
    await panel.get_by_label("Note about the Customer").fill("Prefers Italian; VIP since 2021.")
    await panel.get_by_role("button", name="Add note").click()
    await expect(panel.locator(".cp-note")).to_contain_text("Prefers Italian")
    other = await start_chat(web_http, org, name="Luca", email="luca@example.com")
    await panel.get_by_role("button", name="Edit").click()
    await panel.get_by_label("Email").fill("luca@example.com")
    await panel.get_by_role("button", name="Save").click()
    await expect(panel.locator(".cp-error")).to_contain_text("another Customer already has")
    await panel.get_by_label("Phone").fill("+39 02 1234 5678")
    await panel.get_by_label("Email").fill("maria.rossi@example.com")
    await panel.get_by_role("button", name="Save").click()
    await expect(panel).to_contain_text("+390212345678")
    await save(page, screenshots, "customer-panel")

    # Hand over: the owner picker assigns to Ben; the log records it.
    await page.locator("#issue-owner").click()
    menu = page.get_by_role("menu", name="Assign")
    await expect(menu).to_be_visible()
    await save(page, screenshots, "assignment")
    await menu.get_by_role("menuitemradio", name="Ben Okafor").click()
    await expect(page.locator("#issue-owner")).to_contain_text("Owner: Ben Okafor")
    await page.get_by_label("Add a tag").fill("vip")
    await page.get_by_label("Add a tag").press("Enter")
    await expect(page.locator(".tag-chip")).to_have_text(["vip"])
    await page.get_by_label("Priority", exact=True).select_option("urgent")
    await expect(page.locator("#issue-priority")).to_have_attribute("data-priority", "urgent")
    activity = await web_http.get(
        f"/api/v1/issues/{maria.issue_id}/activity", headers=org.auth(org.ana)
    )
    logged = [e["action"] for e in activity.json() if e["action"] != "watch"]
    assert logged[-3:] == ["assign", "tag", "priority"]

    # Claim on a card opens the Issue; switching queues keeps it open.
    await page.locator("#queue-unclaimed").click()
    reference = (
        await web_http.get(f"/api/v1/issues/{other.issue_id}", headers=org.auth(org.ana))
    ).json()["reference"]
    await card(page, reference).get_by_role("button", name=f"Claim {reference}").click()
    await expect(page).to_have_url(f"{web_server.url}/console#/mine/{other.issue_id}")
    await expect(page.locator("#issue-status")).to_have_text("Claimed")
    await page.locator("#queue-watching").click()
    await expect(page).to_have_url(f"{web_server.url}/console#/watching/{other.issue_id}")
    await expect(page.locator("#issue-title")).to_be_visible()

    # Dark mode follows the system setting.
    await page.emulate_media(color_scheme="dark")
    await page.goto(f"{web_server.url}/console#/unclaimed/{maria.issue_id}")
    await expect(page.locator("#customer-panel")).to_contain_text("Prefers Italian")
    background = await page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background == "rgb(15, 20, 32)"
    await save(page, screenshots, "dark")
    no_page_errors(page)


async def test_a_tag_being_typed_survives_a_change_made_elsewhere(
    web_server: Server,
    web_db: Database,
    web_http: httpx.AsyncClient,
    browser: Browser,
) -> None:
    org, maria = await lived_in(web_server, web_db, web_http, browser)
    _, page = await console_page(browser, web_server.url)
    await sign_in(page, org.ana)
    await page.goto(f"{web_server.url}/console#/all/{maria.issue_id}")
    tag = page.get_by_label("Add a tag")
    await tag.fill("follow-up")

    # Meanwhile Ben raises the priority: Ana's header is drawn again.
    raised = await web_http.put(
        f"/api/v1/issues/{maria.issue_id}/priority",
        json={"priority": "high"},
        headers=org.auth(org.ben),
    )
    assert raised.status_code == 200, raised.text
    await expect(page.locator("#issue-priority")).to_have_attribute("data-priority", "high")
    await expect(tag).to_have_value("follow-up")
    await expect(tag).to_be_focused()

    await tag.press("Enter")
    await expect(page.locator(".tag-chip")).to_have_text(["follow-up"])
    await expect(tag).to_have_value("")
