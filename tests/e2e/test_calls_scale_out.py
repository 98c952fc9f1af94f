"""A video call between two `caseroom serve` processes on one PostgreSQL database
and one Redis: the Customer's page talks to one process, the agent's console to
the other, and the signaling between them crosses the broker."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from playwright.async_api import Browser, expect

from caseroom.storage.database import create_engine
from caseroom.storage.uow import Database
from tests.builders import Org, make_org
from tests.components import require_redis, unique
from tests.e2e.console import console_page, sign_in
from tests.e2e.servers import GUARD, Server, running
from tests.e2e.test_call_signaling import video_on
from tests.e2e.test_calls_browser import (
    customer_writes,
    media_browser,  # noqa: F401 (a fixture)
    only_issue,
    receives_media,
)

pytestmark = [pytest.mark.postgres, pytest.mark.redis]


async def _no_events(_events: object) -> None:
    return None


@pytest.fixture
def servers(postgres_url: str, tmp_path: Path) -> Iterator[tuple[Server, Server]]:
    env = {
        "CASEROOM_DATABASE_URL": postgres_url,
        "CASEROOM_BROKER_URL": require_redis(),
        "CASEROOM_BROKER_PREFIX": unique("caseroom-e2e:") + ":",
        "CASEROOM_DATA_DIR": str(tmp_path / "data"),
        "CASEROOM_LIMITS_ENABLED": "false",
        "CASEROOM_JOB_POLL_SECONDS": "86400",
    }
    pair = [Server(env, tmp_path / f"server-{name}.log") for name in "ab"]
    with running(pair):
        yield pair[0], pair[1]


@pytest.fixture
async def org(postgres_url: str) -> AsyncIterator[Org]:
    engine = create_engine(postgres_url)
    yield await make_org(Database(engine, _no_events))
    await engine.dispose()


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
