import pytest
from playwright.async_api import Browser
from tests.e2e.console import console_page
pytestmark = [pytest.mark.browser]

async def test_debug(web_server, browser: Browser) -> None:
    context, page = await console_page(browser, web_server.url, locale="de-DE")
    msgs = []
    page.on("console", lambda m: msgs.append(m.text))
    page.on("requestfailed", lambda r: msgs.append("FAILED " + r.url))
    page.on("response", lambda r: msgs.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    await page.reload()
    await page.wait_for_timeout(3000)
    print("ERRORS", page.errors, msgs)
    assert False
