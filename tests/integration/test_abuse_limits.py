"""Abuse limits through the API: sign-in delays and locks, rate limits on the
anonymous endpoints and per token, client addresses from trusted proxies only,
and counts shared through Redis."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from caseroom.app import create_app
from caseroom.config import Settings
from caseroom.storage.uow import Database
from caseroom.web.limits import AbuseLimits
from tests.builders import PASSWORD, make_org, start_chat
from tests.components import require_redis, unique

PROXY = "127.0.0.1"  # httpx's ASGI transport connects from here


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(
        database_url=database_url,
        data_dir=tmp_path / "data",
        trusted_proxies=[PROXY],
        login_failures_free=2,
        login_lock_after=4,
        login_delay_base_seconds=1,
        login_lock_seconds=2,
        login_address_failures_free=100,
        login_address_lock_after=200,
        limit_conversation_start="3/minute",
        limit_widget_config="5/minute",
        limit_webhooks="4/minute",
        limit_per_token="8/minute",
    )


@asynccontextmanager
async def running(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            yield http


def sender(address: str) -> dict[str, str]:
    return {"X-Forwarded-For": address}


async def sign_in(
    client: httpx.AsyncClient, email: str, password: str, address: str = "203.0.113.7"
) -> httpx.Response:
    return await client.post(
        "/api/v1/auth/login",
        json={"email": email, "password": password},
        headers=sender(address),
    )


def refusal(response: httpx.Response) -> tuple[int, str, str]:
    body: dict[str, Any] = response.json()
    return response.status_code, body["type"].rsplit("/", 1)[-1], response.headers["Retry-After"]


async def wrong_sign_ins_until_locked(client: httpx.AsyncClient, email: str) -> list[str]:
    """Twenty wrong sign-ins, waiting out each refusal; what each was answered."""
    seen = []
    for _ in range(20):
        answer = await sign_in(client, email, "not the password")
        if answer.status_code == 429:
            code = answer.json()["type"].rsplit("/", 1)[-1]
            seen.append(code)
            if code == "sign-in-locked":
                return seen
            await asyncio.sleep(int(answer.headers["Retry-After"]))
        else:
            assert answer.status_code == 401, answer.text
            seen.append("wrong")
    return seen


async def test_wrong_sign_ins_are_delayed_then_locked_then_a_right_one_works(
    client: httpx.AsyncClient, db: Database
) -> None:
    org = await make_org(db)
    email = org.ana.email
    seen = await wrong_sign_ins_until_locked(client, email)
    # two free failures, a third that starts the wait, a refusal while waiting,
    # the fourth failure, which locks.
    assert seen[:4] == ["wrong", "wrong", "wrong", "sign-in-delayed"]
    assert seen[-1] == "sign-in-locked"
    locked = await sign_in(client, email, PASSWORD)
    status, code, retry_after = refusal(locked)
    assert (status, code) == (429, "sign-in-locked")
    assert "try again in" in locked.json()["detail"]
    await asyncio.sleep(int(retry_after))
    after = await sign_in(client, email, PASSWORD)
    assert after.status_code == 200, after.text
    # A right sign-in forgets the failures: the next wrong one is free again.
    assert (await sign_in(client, email, "nope")).status_code == 401


async def test_unknown_accounts_are_answered_exactly_like_known_ones(
    client: httpx.AsyncClient, db: Database
) -> None:
    org = await make_org(db)
    known, unknown = [], []
    for email, answers in ((org.ben.email, known), (f"nobody-{unique('')}@x.example", unknown)):
        for _ in range(4):
            answer = await sign_in(client, email, "wrong")
            answers.append((answer.status_code, answer.json()["type"]))
    assert known == unknown
    assert [status for status, _ in known] == [401, 401, 401, 429]


async def test_a_delay_for_one_account_leaves_other_accounts_alone(
    client: httpx.AsyncClient, db: Database
) -> None:
    org = await make_org(db)
    for _ in range(3):
        await sign_in(client, org.ana.email, "wrong")
    assert (await sign_in(client, org.ana.email, PASSWORD)).status_code == 429
    assert (await sign_in(client, org.ben.email, PASSWORD)).status_code == 200


async def test_wrong_sign_ins_from_one_address_lock_that_address(
    settings: Settings, db: Database
) -> None:
    org = await make_org(db)
    strict = settings.model_copy(update={"login_address_failures_free": 2})
    async with running(strict) as client:
        emails = [f"guess{i}@{org.slug}.example" for i in range(3)]
        answers = [await sign_in(client, email, "x", "198.51.100.9") for email in emails]
        assert [a.status_code for a in answers] == [401, 401, 401]
        # A fourth account from the same address has to wait; another address does not.
        waited = await sign_in(client, org.ana.email, PASSWORD, "198.51.100.9")
        assert refusal(waited)[:2] == (429, "sign-in-delayed")
        elsewhere = await sign_in(client, org.ana.email, PASSWORD, "198.51.100.10")
        assert elsewhere.status_code == 200


async def test_a_flood_of_conversations_from_one_client_is_refused_while_others_are_served(
    client: httpx.AsyncClient, db: Database
) -> None:
    org = await make_org(db)
    path = f"/api/v1/organizations/{org.slug}/conversations"

    async def start(address: str) -> httpx.Response:
        body = {"name": "Flo", "email": f"{unique('c')}@x.example", "message": "hi"}
        return await client.post(path, json=body, headers=sender(address))

    flood = [await start("192.0.2.1") for _ in range(5)]
    assert [r.status_code for r in flood] == [201, 201, 201, 429, 429]
    status, code, retry_after = refusal(flood[-1])
    assert (status, code) == (429, "rate-limited")
    assert int(retry_after) >= 1
    assert flood[-1].headers["content-type"] == "application/problem+json"
    assert (await start("192.0.2.2")).status_code == 201


async def test_widget_config_is_rate_limited_per_client(
    client: httpx.AsyncClient, db: Database
) -> None:
    org = await make_org(db)
    path = f"/api/v1/organizations/{org.slug}/widget"
    answers = [(await client.get(path, headers=sender("192.0.2.5"))).status_code for _ in range(6)]
    assert answers == [200] * 5 + [429]
    assert (await client.get(path, headers=sender("192.0.2.6"))).status_code == 200


async def test_provider_webhooks_are_rate_limited_per_client(
    client: httpx.AsyncClient, db: Database
) -> None:
    org = await make_org(db)
    path = f"/api/v1/channels/sms/{org.slug}/inbound"
    # Unsigned, so each is refused (403) by the signature check, until the limit says 429.
    answers = [(await client.post(path, headers=sender("192.0.2.7"))).status_code for _ in range(5)]
    assert answers[-1] == 429 and 429 not in answers[:4]
    assert (await client.post(path, headers=sender("192.0.2.8"))).status_code != 429


async def test_each_token_has_its_own_rate(client: httpx.AsyncClient, db: Database) -> None:
    org = await make_org(db)
    ana, ben = org.auth(org.ana), org.auth(org.ben)
    answers = [(await client.get("/api/v1/me", headers=ana)).status_code for _ in range(9)]
    assert answers == [200] * 8 + [429]
    assert (await client.get("/api/v1/me", headers=ben)).status_code == 200


async def test_forwarded_for_is_ignored_unless_the_peer_is_a_trusted_proxy(
    settings: Settings, db: Database
) -> None:
    org = await make_org(db)
    untrusting = settings.model_copy(update={"trusted_proxies": ["10.9.9.9"]})
    async with running(untrusting) as client:
        path = f"/api/v1/organizations/{org.slug}/widget"
        # Every request claims another address, but they all come from one peer.
        answers = [
            (await client.get(path, headers=sender(f"192.0.2.{i}"))).status_code for i in range(6)
        ]
    assert answers == [200] * 5 + [429]


@pytest.mark.redis
async def test_counts_are_shared_through_redis(settings: Settings, db: Database) -> None:
    org = await make_org(db)
    shared = settings.model_copy(
        update={"broker_url": require_redis(), "broker_prefix": unique("limits-test:") + ":"}
    )
    async with running(shared) as first, running(shared) as second:
        chats = [await start_chat(first, org) for _ in range(2)]
        assert len(chats) == 2
        # The third from this address is the last the limit allows, wherever it lands.
        third = await second.post(
            f"/api/v1/organizations/{org.slug}/conversations",
            json={"name": "R", "email": "r@x.example", "message": "hi"},
        )
        assert third.status_code == 201
        fourth = await first.post(
            f"/api/v1/organizations/{org.slug}/conversations",
            json={"name": "R", "email": "s@x.example", "message": "hi"},
        )
        assert refusal(fourth)[:2] == (429, "rate-limited")


async def test_a_failed_sign_in_is_counted_before_the_client_hears_of_it(
    settings: Settings,
) -> None:
    """A client that tries again the moment its 401 arrives (or reaches another
    process) must meet the delay: the count may not trail the answer."""

    async def wrong_password(scope: Any, receive: Any, send: Any) -> None:
        await receive()
        await send({"type": "http.response.start", "status": 401, "headers": []})
        await send({"type": "http.response.body", "body": b"{}"})

    limits = AbuseLimits(wrong_password, settings)
    counted_when_heard: list[int] = []

    async def client_hears(message: Any) -> None:
        if message["type"] == "http.response.start":
            counted_when_heard.append(await limits.accounts.failures("|ana@example.com"))

    async def body() -> dict[str, Any]:
        return {"type": "http.request", "body": b'{"email": "ana@example.com"}'}

    scope = {
        "type": "http",
        "method": "POST",
        "path": "/api/v1/auth/login",
        "headers": [],
        "client": ("198.51.100.9", 4000),
    }
    for _ in range(3):
        await limits(scope, body, client_hears)
    assert counted_when_heard == [1, 2, 3]
