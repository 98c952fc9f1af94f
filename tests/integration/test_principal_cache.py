"""Authenticated tokens kept in memory for a while: every change to who a token
stands for applies on the next request, in this process and in the others,
however long the cache would otherwise keep it. The caches here keep entries
for ten minutes, so only the principal epoch can explain a refusal."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime

import httpx
import pytest
from sqlalchemy import update

from caseroom.app import create_app
from caseroom.config import Settings
from caseroom.storage import tables
from caseroom.storage.uow import Database, UnitOfWork
from tests.builders import PASSWORD, Org, key, make_org, start_chat

LONG = 600.0  # seconds: far longer than any test waits


@asynccontextmanager
async def served(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            yield http


def caching(settings: Settings, **changes: object) -> Settings:
    return settings.model_copy(update={"auth_cache_seconds": LONG, **changes})


async def status_of_me(client: httpx.AsyncClient, headers: dict[str, str]) -> int:
    return (await client.get("/api/v1/me", headers=headers)).status_code


async def test_revoking_deactivating_and_signing_out_apply_on_the_next_request(
    settings: Settings, db: Database
) -> None:
    org = await make_org(db)
    async with served(caching(settings)) as client:
        admin = org.auth(org.admin)
        made = await client.post("/api/v1/tokens", json={"name": "ci"}, headers=admin)
        assert made.status_code == 201, made.text
        integration = {"Authorization": f"Bearer {made.json()['token']}"}
        assert await status_of_me(client, integration) == 200
        revoked = await client.delete(f"/api/v1/tokens/{made.json()['id']}", headers=admin)
        assert revoked.status_code == 204
        assert await status_of_me(client, integration) == 401

        assert await status_of_me(client, org.auth(org.ben)) == 200
        gone = await client.post(f"/api/v1/admin/agents/{org.ben.id}/deactivate", headers=admin)
        assert gone.status_code == 200, gone.text
        assert await status_of_me(client, org.auth(org.ben)) == 401

        login = {"email": org.ana.email, "password": PASSWORD}
        session = (await client.post("/api/v1/auth/login", json=login)).cookies["caseroom_session"]
        as_session = {"Authorization": f"Bearer {session}"}
        assert await status_of_me(client, as_session) == 200
        csrf = {"x-csrf-token": client.cookies["caseroom_csrf"]}
        assert (await client.post("/api/v1/auth/logout", headers=csrf)).status_code == 204
        assert await status_of_me(client, as_session) == 401


async def test_a_customer_reaches_the_conversation_they_just_opened(
    settings: Settings, db: Database
) -> None:
    org = await make_org(db)
    async with served(caching(settings)) as client:
        chat = await start_chat(client, org)
        assert (await client.get("/api/v1/issues", headers=chat.auth)).status_code == 200
        body = {"message": "And a second question", "idempotency_key": key()}
        opened = await client.post("/api/v1/conversations", json=body, headers=chat.auth)
        assert opened.status_code == 201, opened.text
        issue_id = opened.json()["issue"]["id"]
        history = await client.get(
            f"/api/v1/issues/{issue_id}/rooms/public/messages", headers=chat.auth
        )
        assert history.status_code == 200, history.text


async def test_a_remembered_token_is_not_read_again(settings: Settings, db: Database) -> None:
    """What makes the tests above mean something: a row changed behind the
    application's back, so that nothing told the cache, goes unseen while it holds;
    a server that keeps nothing sees it at once."""
    org = await make_org(db)
    async with served(caching(settings)) as client:
        ana = org.auth(org.ana)
        assert await status_of_me(client, ana) == 200
        await _expire_tokens_behind_the_back(db, org)
        assert await status_of_me(client, ana) == 200  # remembered, not re-read
    async with served(caching(settings, auth_cache_seconds=0)) as client:
        assert await status_of_me(client, ana) == 401  # the credential itself is expired


async def _expire_tokens_behind_the_back(db: Database, org: Org) -> None:
    async with db.engine.begin() as conn:
        await conn.execute(
            update(tables.credentials)
            .where(tables.credentials.c.org_id == org.org.id)
            .values(expires_at=datetime(2000, 1, 1, tzinfo=UTC))
        )


async def test_a_change_made_through_another_process_applies_on_the_next_request(
    settings: Settings, db: Database
) -> None:
    """Two application instances on one database, as two server processes, or a
    server and the admin command, would be, with no broker between them: a
    deactivation through one refuses the agent's token at once on the other,
    which had it in memory."""
    org = await make_org(db)
    first = caching(settings, data_dir=settings.data_dir / "first")
    second = caching(settings, data_dir=settings.data_dir / "second")
    async with served(first) as one, served(second) as other:
        ben = org.auth(org.ben)
        assert await status_of_me(other, ben) == 200
        gone = await one.post(
            f"/api/v1/admin/agents/{org.ben.id}/deactivate", headers=org.auth(org.admin)
        )
        assert gone.status_code == 200, gone.text
        assert await status_of_me(other, ben) == 401


async def test_the_epoch_moves_with_principal_writes_only_and_only_when_they_commit(
    db: Database,
) -> None:
    """A console's heartbeat (an agent's last-seen time) changes no principal and
    must not make every process forget its tokens; a rolled-back revocation moves
    nothing; a committed one moves the epoch once."""
    org = await make_org(db)
    before = await db.principal_epoch()
    assert before is not None

    async def heartbeat(uow: UnitOfWork) -> None:
        await uow.availability.seen(org.org.id, org.ana.id, datetime.now(UTC))

    await db.run(heartbeat)
    assert await db.principal_epoch() == before

    async def revoke_then_fail(uow: UnitOfWork) -> None:
        await uow.people.revoke_credentials(org.org.id, org.ana.id, ("api",), datetime.now(UTC))
        raise RuntimeError("changed my mind")

    with pytest.raises(RuntimeError):
        await db.run(revoke_then_fail)
    assert await db.principal_epoch() == before

    async def revoke(uow: UnitOfWork) -> None:
        await uow.people.revoke_credentials(org.org.id, org.ana.id, ("api",), datetime.now(UTC))

    await db.run(revoke)
    assert await db.principal_epoch() == before + 1
