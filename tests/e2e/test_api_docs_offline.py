"""The API docs render in a browser that can reach nothing but this server."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.async_api import Browser, Page, Route, expect

from tests.e2e.conftest import Server

pytestmark = pytest.mark.browser


async def offline_page(browser: Browser, server: Server, elsewhere: list[str]) -> Page:
    """A page whose requests to any other host fail, as on a machine without internet."""
    ours = urlsplit(server.url).netloc
    page = await browser.new_page(viewport={"width": 1280, "height": 900})

    async def only_ours(route: Route) -> None:
        if urlsplit(route.request.url).netloc == ours:
            await route.continue_()
        else:
            elsewhere.append(route.request.url)
            await route.abort("internetdisconnected")

    await page.route("**/*", only_ours)
    return page


async def test_swagger_ui_renders_offline_with_both_ways_to_sign_in(
    browser: Browser, web_server: Server, screenshots: Path
) -> None:
    elsewhere: list[str] = []
    page = await offline_page(browser, web_server, elsewhere)
    await page.goto(web_server.url + "/docs")
    await expect(page.locator(".swagger-ui .info .title")).to_contain_text("caseroom")
    login = page.locator(".opblock-summary-path", has_text="/api/v1/auth/login")
    await expect(login).to_be_visible()
    authorize = page.locator("button.authorize")
    await expect(authorize).to_be_visible()
    await page.screenshot(path=str(screenshots / "api-docs.png"))
    await authorize.click()
    dialog = page.locator(".dialog-ux")
    await expect(dialog).to_contain_text("bearerToken")
    await expect(dialog).to_contain_text("sessionCookie")
    assert elsewhere == []
