"""Driving the agent console in Chromium: open it, sign in, find things."""

from __future__ import annotations

from playwright.async_api import Browser, BrowserContext, Locator, Page, expect

from caseroom.domain.model import Agent
from tests.builders import PASSWORD

DESKTOP = {"width": 1440, "height": 900}
PHONE = {"width": 390, "height": 844}

expect.set_options(timeout=15_000)  # a guard against hanging, never what a test asserts


async def console_page(
    browser: Browser, base_url: str, viewport: dict[str, int] = DESKTOP, locale: str = "en-US"
) -> tuple[BrowserContext, Page]:
    """A fresh browser profile on the console, in an English browser unless told
    another `locale` (tests find things by their English names); page errors fail
    the test."""
    context = await browser.new_context(viewport=viewport, locale=locale)  # type: ignore[arg-type]
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.errors = errors  # type: ignore[attr-defined]
    await page.goto(f"{base_url}/console")
    return context, page


async def sign_in(page: Page, agent: Agent, password: str = PASSWORD) -> None:
    await page.get_by_label("Work email").fill(agent.email)
    await page.get_by_label("Password").fill(password)
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.locator(".me")).to_contain_text(agent.name)
    await expect(page.locator("#connection")).to_have_text("Live")


def card(page: Page, reference: str) -> Locator:
    return page.locator(".card", has_text=f"#{reference}")


def no_page_errors(page: Page) -> None:
    errors: list[str] = page.errors  # type: ignore[attr-defined]
    assert errors == [], errors
