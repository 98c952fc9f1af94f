"""The admin screens in Chromium: only admins see them; an admin invites an agent
(who sets a password through the link), deactivates and reactivates one, sets up a
team, adds a canned response, creates and revokes an API token (shown once) and
reads the audit log, all through the same API an integrator uses."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest
from playwright.async_api import Browser, Page, expect

from caseroom.storage.uow import Database
from tests.builders import make_org
from tests.e2e.conftest import Server
from tests.e2e.console import console_page, no_page_errors, sign_in

pytestmark = [pytest.mark.browser]


async def open_section(page: Page, name: str) -> None:
    await page.get_by_role("tab", name=name).click()
    await expect(page.get_by_role("tab", name=name)).to_have_attribute("aria-selected", "true")


async def picture(page: Page, path: Path) -> None:
    """A screenshot once the confirmation toasts have gone, so they hide nothing."""
    await expect(page.locator(".toast")).to_have_count(0)
    await page.screenshot(path=str(path))


async def test_a_plain_agent_has_no_admin_screens(
    browser: Browser, web_server: Server, web_db: Database
) -> None:
    org = await make_org(web_db)
    context, page = await console_page(browser, web_server.url)
    await sign_in(page, org.ana)
    await expect(page.locator("#admin-link")).to_have_count(0)
    await page.evaluate("location.hash = '#/admin/agents'")
    await expect(page.locator(".queue-pane")).to_be_visible()
    await expect(page.locator("#admin")).to_have_count(0)
    no_page_errors(page)
    await context.close()


async def test_an_admin_sets_up_the_desk_in_the_console(
    browser: Browser, web_server: Server, web_db: Database, screenshots: Path
) -> None:
    org = await make_org(web_db, people_names=("Alex Admin", "Ana Lopez", "Ben Okafor"))
    context, page = await console_page(browser, web_server.url)
    page.on("dialog", lambda dialog: dialog.accept())
    await sign_in(page, org.admin)
    await page.locator("#admin-link").click()
    await expect(page.locator("#admin-agents")).to_be_visible()
    rows = page.locator("#admin-agents tbody tr")
    await expect(rows).to_have_count(3)

    # Invite: the link is shown once and sets the new agent's password.
    invite = page.locator("#invite-form")
    email = f"noor@{org.slug}.example"
    await invite.get_by_label("Work email").fill(email)
    await invite.get_by_label("Name").fill("Noor Haddad")
    await invite.get_by_label("Support").check()
    await invite.get_by_role("button", name="Invite").click()
    link = page.locator(".secret-box .secret-value")
    await expect(link).to_contain_text("/invite#token=")
    await expect(rows.filter(has_text="Noor Haddad")).to_contain_text("Invited")
    await page.screenshot(path=str(screenshots / "admin-agents.png"))
    invite_url = (await link.text_content() or "").strip()

    newcomer = await context.new_page()
    await newcomer.goto(invite_url.replace("http://127.0.0.1:8000", web_server.url))
    await newcomer.get_by_label("New password").fill("noor's own password")
    await newcomer.get_by_label("The same password again").fill("noor's own password")
    await newcomer.get_by_role("button", name="Set my password").click()
    await expect(newcomer.locator("#invite-email")).to_have_text(email)
    await newcomer.screenshot(path=str(screenshots / "admin-invite-accepted.png"))
    await newcomer.close()
    async with httpx.AsyncClient(base_url=web_server.url) as anyone:
        signed_in = await anyone.post(
            "/api/v1/auth/login", json={"email": email, "password": "noor's own password"}
        )
        assert signed_in.status_code == 200

    # Deactivate Ben, then let him back in.
    ben = rows.filter(has_text="Ben Okafor")
    await ben.get_by_role("button", name="Deactivate").click()
    await expect(ben).to_contain_text("Deactivated")
    await ben.get_by_role("button", name="Reactivate").click()
    await expect(ben).to_contain_text("Active")

    # A team with hours in a time zone; nonsense hours are refused with the reason.
    await open_section(page, "Teams")
    form = page.get_by_role("form", name="New team")
    await form.get_by_label("Name").fill("Weekend")
    await form.get_by_label("Hours of operation").fill("Sat-Sun 10-4")
    await form.get_by_label("Time zone").fill("Europe/Lisbon")
    await form.get_by_label("Ben Okafor").check()
    await form.get_by_role("button", name="Create team").click()
    await expect(form.locator(".form-error")).to_contain_text("is not like")
    await form.get_by_label("Hours of operation").fill("Sat-Sun 10:00-16:00")
    await form.get_by_role("button", name="Create team").click()
    team_row = page.locator("#admin-teams tbody tr", has_text="Weekend")
    await expect(team_row).to_contain_text("Sat-Sun 10:00-16:00")
    await expect(team_row).to_contain_text("Europe/Lisbon")
    await expect(team_row).to_contain_text("Ben Okafor")
    await picture(page, screenshots / "admin-teams.png")

    # A canned response for everyone.
    await open_section(page, "Canned responses")
    form = page.get_by_role("form", name="New canned response")
    await form.get_by_label("Title").fill("Refund on its way")
    await form.get_by_label("Shortcut").fill("refund")
    await form.get_by_label("Text").fill(
        "Good news {{customer.first_name|there}}: your refund reaches you within 5 days."
    )
    await form.get_by_role("button", name="Add response").click()
    await expect(page.locator("#admin-canned tbody")).to_contain_text("Refund on its way")
    await picture(page, screenshots / "admin-canned.png")
    async with httpx.AsyncClient(base_url=web_server.url) as api:
        found = await api.get("/api/v1/canned-responses", headers=org.auth(org.ana))
        assert "Refund on its way" in [c["title"] for c in found.json()]

    # An API token: shown once, works, then revoked.
    await open_section(page, "API tokens")
    form = page.get_by_role("form", name="New API token")
    await form.get_by_label("What it is for").fill("CRM sync")
    await form.get_by_role("button", name="Create token").click()
    secret = page.locator(".secret-box .secret-value")
    await expect(secret).to_contain_text("cra_")
    token = (await secret.text_content() or "").strip()
    await picture(page, screenshots / "admin-tokens.png")
    async with httpx.AsyncClient(base_url=web_server.url) as api:
        bearer = {"Authorization": f"Bearer {token}"}
        assert (await api.get("/api/v1/me", headers=bearer)).status_code == 200
        await (
            page.locator("#admin-tokens tbody tr", has_text="CRM sync")
            .get_by_role("button", name="Revoke")
            .click()
        )
        await expect(page.locator("#admin-tokens tbody")).not_to_contain_text("CRM sync")
        assert (await api.get("/api/v1/me", headers=bearer)).status_code == 401

    # The widget's look, previewed before it is saved, and where it may appear.
    await open_section(page, "Chat widget")
    form = page.get_by_role("form", name="Chat widget")
    await form.get_by_label("Brand colour", exact=True).fill("#0f766e")
    await form.get_by_label("Title").fill("Ask Northwind")
    await expect(page.locator(".preview-head")).to_have_text("Ask Northwind")
    await expect(page.locator(".preview-launcher")).to_have_css(
        "background-color", "rgb(15, 118, 110)"
    )
    await form.get_by_label("Sites that may show the chat").fill("shop.example.com")
    await form.get_by_role("button", name="Save widget").click()
    await expect(form.locator(".form-error")).to_contain_text("is not a site")
    await form.get_by_label("Sites that may show the chat").fill("https://shop.example.com/")
    await form.get_by_role("button", name="Save widget").click()
    await expect(form.get_by_label("Sites that may show the chat")).to_have_value(
        "https://shop.example.com"
    )
    await expect(page.locator(".snippets")).to_contain_text(f'data-org="{org.slug}"')
    await picture(page, screenshots / "admin-widget.png")
    async with httpx.AsyncClient(base_url=web_server.url) as anyone:
        look = (await anyone.get(f"/api/v1/organizations/{org.slug}/widget")).json()
        assert (look["color"], look["title"]) == ("#0f766e", "Ask Northwind")

    # Channels: the mailbox and its relay; a secret is sent once and never shown.
    await open_section(page, "Channels")
    email = page.get_by_role("form", name="Email settings")
    await email.get_by_label("Support address").fill("not an address")
    await email.get_by_role("button", name="Save email").click()
    await expect(email.locator(".form-error")).not_to_be_empty()
    await email.get_by_label("Support address").fill(f"help@{org.slug}.example")
    await email.get_by_label("Relay host").fill("smtp.example.com")
    await email.get_by_label("Relay password").fill("relay-secret-42")
    await email.get_by_role("button", name="Save email").click()
    email = page.get_by_role("form", name="Email settings")
    await expect(email.locator(".secret-state")).to_contain_text("Set")
    video = page.get_by_role("form", name="Video calls settings")
    await video.get_by_label("STUN servers").fill("stun:stun.example.com:3478")
    await video.get_by_role("button", name="Save video calls").click()
    await expect(
        page.get_by_role("form", name="Video calls settings").get_by_label("STUN servers")
    ).to_have_value("stun:stun.example.com:3478")
    assert "relay-secret-42" not in await page.content()
    await page.locator("#admin-channels").scroll_into_view_if_needed()
    await page.locator(".admin-pane").evaluate("pane => pane.scrollTo(0, 0)")
    await picture(page, screenshots / "admin-channels.png")
    async with httpx.AsyncClient(base_url=web_server.url) as api:
        listed = await api.get("/api/v1/settings/channels", headers=org.auth(org.admin))
        by_channel = {c["channel"]: c for c in listed.json()}
        assert by_channel["email"]["config"]["relay_host"] == "smtp.example.com"
        assert by_channel["email"]["secrets_set"] == ["relay_password"]
        assert "relay-secret-42" not in listed.text

    # A redaction pattern, tried on sample text before it is saved.
    await open_section(page, "Redaction")
    form = page.get_by_role("form", name="New redaction pattern")
    await form.get_by_label("Name").fill("Order numbers")
    await form.get_by_label("Pattern").fill("NW-\\d{6}")
    await form.get_by_label("Try it on").fill("My orders are NW-123456 and NW-654321.")
    await form.get_by_role("button", name="Try it").click()
    await expect(form.locator(".trial")).to_contain_text("2 matches")
    await expect(form.locator(".trial")).to_contain_text("My orders are [redacted] and [redacted].")
    await picture(page, screenshots / "admin-redaction.png")
    await form.get_by_role("button", name="Save pattern").click()
    await expect(page.locator("#admin-redaction tbody")).to_contain_text("Order numbers")

    # Everything above is in the audit log.
    await open_section(page, "Audit log")
    log = page.locator("#admin-audit tbody")
    for action in (
        "agent.add",
        "agent.deactivate",
        "team.create",
        "canned.create",
        "api_token.revoke",
        "redaction_pattern.add",
    ):
        await expect(log).to_contain_text(action)
    await page.locator("#audit-kind").select_option(label="Teams")
    await expect(log.locator("tr")).to_have_count(1)
    href = await page.get_by_role("link", name="Export CSV").get_attribute("href")
    assert href and re.search(r"/api/v1/admin/audit\.csv\?action=team\.$", href)
    await page.locator("#audit-kind").select_option(label="Everything")
    await picture(page, screenshots / "admin-audit.png")
    no_page_errors(page)
    await context.close()
