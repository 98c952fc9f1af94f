"""A video call between two `caseroom serve` processes on one PostgreSQL database
and one Redis: the Customer's page talks to one process, the agent's console to
the other, and the signaling between them crosses the broker."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from playwright.async_api import Browser, expect

from tests.builders import Org, make_org, open_database
from tests.e2e.console import console_page, sign_in
from tests.e2e.servers import GUARD, Server, running_pair, scale_out_env
from tests.e2e.test_call_signaling import video_on
from tests.e2e.test_calls_browser import (
    customer_writes,
    media_browser,  # noqa: F401 (a fixture)
    only_issue,
    receives_media,
)

pytestmark = [pytest.mark.postgres, pytest.mark.redis]


@pytest.fixture
def servers(postgres_url: str, tmp_path: Path) -> Iterator[tuple[Server, Server]]:
    env = scale_out_env(postgres_url, tmp_path, job_poll_seconds="86400")
    with running_pair(env, tmp_path) as pair:
        yield pair


@pytest.fixture
async def org(postgres_url: str) -> AsyncIterator[Org]:
    async with open_database(postgres_url) as db:
        yield await make_org(db)


async def test_a_call_between_two_server_processes(
    media_browser: Browser,  # noqa: F811
    servers: tuple[Server, Server],
    org: Org,
) -> None:
    a, b = servers
    async with httpx.AsyncClient(base_url=a.url, timeout=GUARD) as http:
        await video_on(http, org)
        customer_context = await media_browser.new_context()
        customer = await customer_context.new_page()
        await customer_writes(customer, a.url, org, "Could you look at my bike with me?")
        issue_id = await only_issue(http, org)

    context, agent = await console_page(media_browser, b.url)
    await sign_in(agent, org.ana)
    await agent.goto(f"{b.url}/console#/unclaimed/{issue_id}")
    await expect(agent.locator("#panel-public")).to_have_attribute("data-live", "true")
    await agent.get_by_role("button", name="Video call").click()
    await (
        customer.get_by_role("dialog", name="Video call")
        .get_by_role("button", name="Accept")
        .click()
    )
    await receives_media(agent)
    await receives_media(customer)
    await context.close()
    await customer_context.close()
