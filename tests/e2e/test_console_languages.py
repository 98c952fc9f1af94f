"""The console in the agent's language: German in a German browser (sign-in page
and inbox), the agent's own choice over the browser's, and a switch in the
language picker that shows at once and stays after a reload."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from playwright.async_api import Browser, Page, expect

from caseroom.domain.model import Agent
from caseroom.storage.uow import Database
from tests.builders import PASSWORD, make_org, send, start_chat
from tests.e2e.conftest import Server
from tests.e2e.console import card, console_page, no_page_errors, sign_in

pytestmark = [pytest.mark.browser]


async def sign_in_german(page: Page, agent: Agent) -> None:
    await page.get_by_label("Geschäftliche E-Mail").fill(agent.email)
    await page.get_by_label("Passwort").fill(PASSWORD)
    await page.get_by_role("button", name="Anmelden").click()
    await expect(page.locator(".me")).to_contain_text(agent.name)
    await expect(page.locator("#connection")).to_have_text("Live")


async def test_a_german_browser_shows_the_console_in_german(
    web_server: Server, web_db: Database, web_http: httpx.AsyncClient, browser: Browser,
    screenshots: Path,
) -> None:  # fmt: skip
    org = await make_org(
        web_db, name="Nordwind Outdoor", people_names=("Alex Admin", "Anna Berger", "Ben Vogel")
    )
    chat = await start_chat(
        web_http, org, name="Maria Schulz", message="Mein Paket ist nie angekommen"
    )
    await send(web_http, chat.auth, chat.issue_id, body="Die Sendungsnummer endet auf 4471.")
    _, page = await console_page(browser, web_server.url, locale="de-DE")
    await expect(page.get_by_role("heading", name="Bei der Konsole anmelden")).to_be_visible()
    await expect(page.locator("html")).to_have_attribute("lang", "de")
    await page.get_by_role("button", name="Anmelden").click()
    await expect(page.get_by_role("alert")).to_have_text("Bitte E-Mail und Passwort eingeben.")

    await sign_in_german(page, org.ana)
    await expect(page.locator("#queue-title")).to_have_text("Nicht übernommen")
    await expect(page.get_by_role("link", name="Meine")).to_be_visible()
    await expect(page.get_by_role("searchbox", name="Issues durchsuchen")).to_be_visible()
    issue = (
        await web_http.get(f"/api/v1/issues/{chat.issue_id}", headers=org.auth(org.ana))
    ).json()
    ref = issue["reference"]
    await expect(page.locator("#queue-count")).to_have_text("1 Issue")
    await card(page, ref).get_by_role("button", name=f"{ref} öffnen").click()
    await expect(page.locator("#issue-status")).to_have_text("Nicht übernommen")
    await expect(page.get_by_role("tab", name="Öffentlich")).to_be_visible()
    await expect(page.get_by_role("textbox", name="Dem Kunden antworten")).to_be_visible()
    await expect(page.get_by_role("button", name="Übernehmen").first).to_be_visible()
    await page.get_by_role("textbox", name="Dem Kunden antworten").fill("Ich sehe sofort nach.")
    await page.screenshot(path=str(screenshots / "console-de.png"))
    await page.get_by_role("button", name="Nachricht senden").click()
    await expect(page.locator(".timeline-public .msg-mine .bubble")).to_have_text(
        "Ich sehe sofort nach."
    )
    # The first reply claimed the Issue: the header, the toast-free status and the
    # activity line say so in German.
    await expect(page.locator("#issue-status")).to_have_text("Übernommen")
    no_page_errors(page)


async def test_the_agents_choice_wins_over_a_german_browser(
    web_server: Server, web_db: Database, web_http: httpx.AsyncClient, browser: Browser
) -> None:
    org = await make_org(web_db)
    chosen = await web_http.put(
        "/api/v1/me/locale", json={"locale": "en"}, headers=org.auth(org.ben)
    )
    assert chosen.status_code == 200, chosen.text
    _, page = await console_page(browser, web_server.url, locale="de-DE")
    await sign_in_german(page, org.ben)
    # Signed in, the console speaks the agent's language, not the browser's.
    await expect(page.locator("#queue-title")).to_have_text("Unclaimed")
    await expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    await expect(page.locator("html")).to_have_attribute("lang", "en")
    no_page_errors(page)


async def test_switching_language_in_the_picker_shows_at_once_and_follows_the_agent(
    web_server: Server, web_db: Database, web_http: httpx.AsyncClient, browser: Browser
) -> None:
    org = await make_org(web_db)
    chat = await start_chat(web_http, org, message="Where is my order?")
    issue = (
        await web_http.get(f"/api/v1/issues/{chat.issue_id}", headers=org.auth(org.ana))
    ).json()
    context, page = await console_page(browser, web_server.url)
    await sign_in(page, org.ana)
    await page.goto(f"{web_server.url}/console#/unclaimed/{chat.issue_id}")
    await expect(page.get_by_role("textbox", name="Reply to the Customer")).to_be_visible()
    await page.get_by_role("textbox", name="Reply to the Customer").fill("Half a reply")

    await page.get_by_role("button", name="Language").click()
    await page.get_by_role("radio", name="Deutsch").click()
    # At once, on the same page: the inbox, the open Issue and its draft.
    await expect(page.locator("#queue-title")).to_have_text("Nicht übernommen")
    await expect(page.locator("html")).to_have_attribute("lang", "de")
    reply = page.get_by_role("textbox", name="Dem Kunden antworten")
    await expect(reply).to_have_value("Half a reply")
    await expect(page.locator("#issue-title")).to_have_text(issue["subject"])
    await expect(page.get_by_role("button", name="Abmelden")).to_be_visible()

    await page.reload()
    await expect(page.locator("#queue-title")).to_have_text("Nicht übernommen")
    # Another device (a fresh English browser) gets it too once signed in: it is
    # kept with the agent.
    _, elsewhere = await console_page(browser, web_server.url)
    await sign_in(elsewhere, org.ana)
    await expect(elsewhere.locator("#queue-title")).to_have_text("Nicht übernommen")

    await page.get_by_role("button", name="Sprache").click()
    await page.get_by_role("radio", name="Sprache des Browsers (English)").click()
    await expect(page.locator("#queue-title")).to_have_text("Unclaimed")
    assert (await web_http.get("/api/v1/me", headers=org.auth(org.ana))).json()["locale"] is None
    no_page_errors(page)
    no_page_errors(elsewhere)
    await context.close()
