"""Two `caseroom serve` processes sharing one Redis share the abuse limits: a
client cannot multiply its allowance by reaching a different process."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest

from tests.builders import PASSWORD, Org, make_org, open_database
from tests.components import unique
from tests.e2e.servers import GUARD, Server, running_pair, scale_out_env

pytestmark = [pytest.mark.postgres, pytest.mark.redis]


@pytest.fixture
def servers(postgres_url: str, tmp_path: Path) -> Iterator[tuple[Server, Server]]:
    env = scale_out_env(
        postgres_url,
        tmp_path,
        limits_enabled="true",
        trusted_proxies='["127.0.0.1"]',
        limit_conversation_start="4/minute",
        login_failures_free="2",
        login_lock_after="4",
        # Waits long enough that a busy machine answers the next attempt inside them.
        login_delay_base_seconds="4",
        login_lock_seconds="4",
    )
    with running_pair(env, tmp_path) as pair:
        yield pair


@pytest.fixture
async def org(postgres_url: str) -> AsyncIterator[Org]:
    async with open_database(postgres_url) as db:
        yield await make_org(db)


async def test_a_conversation_flood_split_over_two_processes_is_refused(
    servers: tuple[Server, Server], org: Org
) -> None:
    a, b = servers
    path = f"/api/v1/organizations/{org.slug}/conversations"
    async with (
        httpx.AsyncClient(base_url=a.url, timeout=GUARD) as to_a,
        httpx.AsyncClient(base_url=b.url, timeout=GUARD) as to_b,
    ):

        async def start(http: httpx.AsyncClient, address: str) -> int:
            body = {"name": "F", "email": f"{unique('f')}@x.example", "message": "hi"}
            answer = await http.post(path, json=body, headers={"X-Forwarded-For": address})
            return answer.status_code

        flood = [await start(http, "192.0.2.50") for http in (to_a, to_b) * 3]
        assert flood == [201, 201, 201, 201, 429, 429]
        assert await start(to_b, "192.0.2.51") == 201


async def test_sign_in_delays_and_locks_follow_the_account_across_processes(
    servers: tuple[Server, Server], org: Org
) -> None:
    a, b = servers
    async with (
        httpx.AsyncClient(base_url=a.url, timeout=GUARD) as to_a,
        httpx.AsyncClient(base_url=b.url, timeout=GUARD) as to_b,
    ):

        async def sign_in(http: httpx.AsyncClient, password: str) -> httpx.Response:
            return await http.post(
                "/api/v1/auth/login", json={"email": org.ana.email, "password": password}
            )

        assert (await sign_in(to_a, "wrong")).status_code == 401
        assert (await sign_in(to_b, "wrong")).status_code == 401
        assert (await sign_in(to_a, "wrong")).status_code == 401
        delayed = await sign_in(to_b, "wrong")
        assert delayed.status_code == 429
        assert delayed.json()["type"].endswith("/sign-in-delayed")
        await asyncio.sleep(int(delayed.headers["Retry-After"]))
        assert (await sign_in(to_b, "wrong")).status_code == 401  # the fourth: locks
        locked = await sign_in(to_a, PASSWORD)
        assert locked.json()["type"].endswith("/sign-in-locked")
        await asyncio.sleep(int(locked.headers["Retry-After"]))
        assert (await sign_in(to_a, PASSWORD)).status_code == 200
