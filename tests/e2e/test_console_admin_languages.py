"""The admin screens in the agent's language: each section, opened in German,
shows its German headings, fields and buttons and none of its English labels;
in English it stays English; and German's longer words still fit their buttons."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from playwright.async_api import Browser, Page, expect

from caseroom.storage.uow import Database
from tests.builders import Org, make_org
from tests.e2e.conftest import Server
from tests.e2e.console import console_page, no_page_errors, sign_in
from tests.e2e.test_console_languages import sign_in_german

pytestmark = [pytest.mark.browser]


@dataclass(frozen=True)
class Section:
    id: str  # #/admin/<id>, and the section's element is #admin-<id>
    tab: tuple[str, str]  # (English, German)
    heading: tuple[str, str]
    buttons: tuple[tuple[str, str], ...]  # a few of its buttons or button-links
    english: tuple[str, ...]  # its English labels that German replaces


SECTIONS = (
    Section(
        "agents",
        ("Agents", "Agents"),
        ("Agents", "Agents"),
        (("Invite", "Einladen"), ("Edit", "Bearbeiten"), ("Deactivate", "Deaktivieren")),
        ("Invite an agent", "Work email", "Role", "Active", "(you)", "Everyone who"),
    ),
    Section(
        "teams",
        ("Teams", "Teams"),
        ("Teams", "Teams"),
        (("Create team", "Team anlegen"), ("Edit", "Bearbeiten")),
        ("New team", "Hours of operation", "Time zone", "Members", "Issues wait"),
    ),
    Section(
        "canned",
        ("Canned responses", "Textbausteine"),
        ("Canned responses", "Textbausteine"),
        (("Add response", "Textbaustein hinzufügen"), ("Delete", "Löschen")),
        ("New canned response", "Shortcut", "Title", "Variables", "The organization's replies"),
    ),
    Section(
        "widget",
        ("Chat widget", "Chat-Widget"),
        ("Chat widget", "Chat-Widget"),
        (("Save widget", "Widget speichern"), ("Copy", "Kopieren")),
        ("Brand colour", "Launcher position", "Greeting", "Sites that may show", "For a web site"),
    ),
    Section(
        "channels",
        ("Channels", "Kanäle"),
        ("Channels", "Kanäle"),
        (("Save email", "E-Mail speichern"), ("Save SMS", "SMS speichern")),
        ("Support address", "Relay host", "Not set up", "Turned on", "Video calls", "Number"),
    ),
    Section(
        "redaction",
        ("Redaction", "Schwärzung"),
        ("Redaction", "Schwärzung"),
        (("Try it", "Testen"), ("Save pattern", "Muster speichern"), ("Remove", "Entfernen")),
        ("New pattern", "Pattern", "Try it on", "Card numbers", "built in"),
    ),
    Section(
        "knowledge",
        ("Knowledge", "Wissen"),
        ("Knowledge", "Wissen"),
        (("Add article", "Artikel hinzufügen"), ("Edit", "Bearbeiten")),
        ("New article", "Published", "published", "Title", "Articles agents find"),
    ),
    Section(
        "bots",
        ("Bots and webhooks", "Bots und Webhooks"),
        ("Bots and webhooks", "Bots und Webhooks"),
        (("Save welcome bot", "Begrüßungs-Bot speichern"), ("Register bot", "Bot registrieren")),
        ("Welcome bot", "Nickname", "Kind", "Subscribe a URL", "Delivery log", "No bots yet"),
    ),
    Section(
        "tokens",
        ("API tokens", "API-Tokens"),
        ("API tokens", "API-Tokens"),
        (("Create token", "Token erstellen"), ("Revoke", "Widerrufen")),
        ("New API token", "What it is for", "Created", "For integrations"),
    ),
    Section(
        "audit",
        ("Audit log", "Audit-Protokoll"),
        ("Audit log", "Audit-Protokoll"),
        (("Export CSV", "Als CSV exportieren"),),
        ("Show", "When", "Who", "What", "From", "Every admin action"),
    ),
    Section(
        "sent-mail",
        ("Sent mail", "Gesendete E-Mails"),
        ("Sent mail", "Gesendete E-Mails"),
        (),
        ("When", "Subject", "No mail captured yet", "With no relay"),
    ),
)


async def with_a_row_in_each_list(http: httpx.AsyncClient, org: Org) -> None:
    """Something in each list, so the rows' buttons show too."""
    auth = org.auth(org.admin)
    made = [
        await http.post(
            "/api/v1/canned-responses",
            json={"title": "Greeting", "body": "Hello!", "personal": False},
            headers=auth,
        ),
        await http.post(
            "/api/v1/articles",
            json={"title": "Returns", "body": "Send it back.", "published": True, "tags": []},
            headers=auth,
        ),
        await http.post(
            "/api/v1/redaction-patterns",
            json={"name": "Order numbers", "pattern": r"NW-\d{6}"},
            headers=auth,
        ),
        await http.post("/api/v1/tokens", json={"name": "CRM sync"}, headers=auth),
    ]
    for response in made:
        assert response.status_code == 201, response.text


def words(label: str) -> re.Pattern[str]:
    """`label` as whole words (so "Kind" is not found in "Kinder")."""
    return re.compile(rf"(?<!\w){re.escape(label)}(?!\w)")


async def open_section(page: Page, section: Section, language: int) -> str:
    tab = page.get_by_role("tab", name=section.tab[language], exact=True)
    await tab.click()
    await expect(tab).to_have_attribute("aria-selected", "true")
    body = page.locator(f"#admin-{section.id}")
    await expect(body.locator(".admin-section-head h2")).to_have_text(section.heading[language])
    for button in section.buttons:
        name = button[language]
        found = body.get_by_role("button", name=name).or_(body.get_by_role("link", name=name))
        await expect(found.first).to_be_visible()
    return await body.evaluate(EVERY_TEXT)


# Every text node and every label an attribute gives (the hidden ones for
# screen readers too), one apart from the next.
EVERY_TEXT = """(root) => {
  const out = [];
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) out.push(walker.currentNode.nodeValue);
  const named = ["aria-label", "placeholder", "title"];
  for (const el of root.querySelectorAll("[aria-label], [placeholder], [title]")) {
    for (const name of named) out.push(el.getAttribute(name) ?? "");
  }
  return out.join(" | ");
}"""


async def test_every_admin_section_speaks_german_in_a_german_console(
    web_server: Server, web_db: Database, web_http: httpx.AsyncClient, browser: Browser,
    screenshots: Path,
) -> None:  # fmt: skip
    org = await make_org(web_db, people_names=("Alex Admin", "Anna Berger", "Ben Vogel"))
    await with_a_row_in_each_list(web_http, org)
    context, page = await console_page(browser, web_server.url, locale="de-DE")
    await sign_in_german(page, org.admin)
    await page.locator("#admin-link").click()
    await expect(page.get_by_role("heading", name="Verwaltung", exact=True)).to_be_visible()
    for section in SECTIONS:
        text = await open_section(page, section, 1)
        left = [label for label in section.english if words(label).search(text)]
        assert left == [], (section.id, left)
    await page.get_by_role("tab", name="Schwärzung").click()
    await page.get_by_label("Muster", exact=True).fill(r"NW-\d{6}")
    await page.get_by_label("Testen mit").fill("Bestellung NW-123456 und NW-654321")
    await page.get_by_role("button", name="Testen", exact=True).click()
    await expect(page.locator(".trial-count")).to_have_text("2 Treffer")
    no_page_errors(page)
    await context.close()


async def test_the_admin_sections_stay_english_in_an_english_console(
    web_server: Server, web_db: Database, web_http: httpx.AsyncClient, browser: Browser
) -> None:
    org = await make_org(web_db)
    await with_a_row_in_each_list(web_http, org)
    context, page = await console_page(browser, web_server.url)
    await sign_in(page, org.admin)
    await page.locator("#admin-link").click()
    for section in SECTIONS:
        text = await open_section(page, section, 0)
        # Its English labels are all there (as words), so the German test's
        # absence of them means something.
        missing = [label for label in section.english if not words(label).search(text)]
        assert missing == [], (section.id, missing)
    no_page_errors(page)
    await context.close()


async def test_german_labels_fit_their_buttons(
    web_server: Server, web_db: Database, web_http: httpx.AsyncClient, browser: Browser,
    screenshots: Path,
) -> None:  # fmt: skip
    org = await make_org(web_db, people_names=("Alex Admin", "Anna Berger", "Ben Vogel"))
    await with_a_row_in_each_list(web_http, org)
    context, page = await console_page(browser, web_server.url, locale="de-DE")
    await sign_in_german(page, org.admin)
    await page.goto(f"{web_server.url}/console#/admin/agents")
    overflowing: list[str] = []
    for section in SECTIONS:
        await open_section(page, section, 1)
        # A button's text wider than the button itself would spill over its edge.
        overflowing += await page.locator(f"#admin-{section.id}").evaluate(
            """(root) => [...root.querySelectorAll("button, a.btn, .admin-tab")]
                .filter((b) => b.offsetParent !== null && b.scrollWidth > b.clientWidth + 1)
                .map((b) => b.textContent.trim())"""
        )
        if section.id in ("agents", "channels"):
            await page.screenshot(path=str(screenshots / f"admin-{section.id}-de.png"))
    assert overflowing == []
    # On a desktop every tab shows whole, none cut off at the strip's edge.
    tabs = await page.locator(".admin-tabs").evaluate(
        """(root) => {
          const strip = root.getBoundingClientRect();
          return [...root.querySelectorAll(".admin-tab")].filter((b) => {
            const box = b.getBoundingClientRect();
            const cut = box.left < strip.left || box.right > strip.right;
            return cut || b.scrollWidth > b.clientWidth + 1;
          }).map((b) => b.textContent.trim());
        }"""
    )
    assert tabs == []
    no_page_errors(page)
    await context.close()
