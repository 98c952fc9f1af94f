"""Two `caseroom serve` processes sharing one Redis share the abuse limits: a
client cannot multiply its allowance by reaching a different process."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest

from caseroom.storage.database import create_engine
from caseroom.storage.uow import Database
from tests.builders import PASSWORD, Org, make_org
from tests.components import require_redis, unique
from tests.e2e.servers import GUARD, Server, running

pytestmark = [pytest.mark.postgres, pytest.mark.redis]


async def _no_events(_events: object) -> None:
    return None


@pytest.fixture
def servers(postgres_url: str, tmp_path: Path) -> Iterator[tuple[Server, Server]]:
    env = {
        "CASEROOM_DATABASE_URL": postgres_url,
        "CASEROOM_BROKER_URL": require_redis(),
        "CASEROOM_BROKER_PREFIX": unique("caseroom-limits:") + ":",
        "CASEROOM_DATA_DIR": str(tmp_path / "data"),
        "CASEROOM_LIMITS_ENABLED": "true",
        "CASEROOM_TRUSTED_PROXIES": '["127.0.0.1"]',
        "CASEROOM_LIMIT_CONVERSATION_START": "4/minute",
        "CASEROOM_LOGIN_FAILURES_FREE": "2",
        "CASEROOM_LOGIN_LOCK_AFTER": "4",
        # Waits long enough that a busy machine answers the next attempt inside them.
        "CASEROOM_LOGIN_DELAY_BASE_SECONDS": "4",
        "CASEROOM_LOGIN_LOCK_SECONDS": "4",
    }
    pair = [Server(env, tmp_path / f"server-{name}.log") for name in "ab"]
    with running(pair):
        yield pair[0], pair[1]


@pytest.fixture
async def org(postgres_url: str) -> AsyncIterator[Org]:
    engine = create_engine(postgres_url)
    yield await make_org(Database(engine, _no_events))
    await engine.dispose()


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
