"""The console says when a search matched so many Issues that only the newest
were ranked: the agent knows an older Issue may rank better than what shows."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.async_api import Browser, expect

from tests.builders import make_org, open_database, start_chat
from tests.e2e.conftest import NO_POLL, Server, start_server
from tests.e2e.console import console_page, sign_in

pytestmark = [pytest.mark.browser]
PAGE = 100  # the inbox's page (static/console/inbox.js)


@pytest.fixture
def few_candidates(sqlite_url: str, tmp_path: Path) -> Iterator[Server]:
    """A server that ranks only the newest matching Issues, as many as the inbox
    shows on a page (fewer would fall back to ranking every match)."""
    running = start_server(
        sqlite_url, tmp_path / "server.log", search_candidates=str(PAGE), **NO_POLL
    )
    yield running
    running.stop()


async def test_the_inbox_says_when_only_the_newest_matches_were_ranked(
    few_candidates: Server, browser: Browser
) -> None:
    async with open_database(few_candidates.database_url) as db:
        org = await make_org(db)
    async with httpx.AsyncClient(base_url=few_candidates.url, timeout=30) as http:
        for first in range(0, PAGE + 1, 20):
            await asyncio.gather(
                *(
                    start_chat(http, org, name=f"Customer {n}", message="my parcel is lost")
                    for n in range(first, min(first + 20, PAGE + 1))
                )
            )
        await start_chat(http, org, name="Dee", email="dee@example.com", message="invoice wrong")
    _, page = await console_page(browser, few_candidates.url)
    await sign_in(page, org.ana)
    search = page.get_by_label("Search Issues")
    subtitle = page.locator("#queue-count")

    await search.fill("parcel")
    await expect(page.locator(".card")).to_have_count(PAGE)
    await expect(subtitle).to_have_text(
        f"{PAGE}+ Issues found · ranked among the newest {PAGE} matches"
    )

    await search.fill("invoice")
    await expect(page.locator(".card")).to_have_count(1)
    await expect(subtitle).to_have_text("1 Issue found")
