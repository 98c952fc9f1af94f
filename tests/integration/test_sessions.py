"""Console sessions: signing in again in a browser ends the session it had; a
role change signs the agent out everywhere, so no session keeps rights it no
longer has; an agent can end all of their sessions at once, API tokens aside."""

from __future__ import annotations

import httpx

from caseroom.storage.uow import Database
from caseroom.web.deps import CSRF_COOKIE, SESSION_COOKIE
from tests.builders import PASSWORD, Org, make_org


async def sign_in(client: httpx.AsyncClient, org: Org, email: str) -> httpx.Response:
    response = await client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return response


def browser(client: httpx.AsyncClient) -> httpx.AsyncClient:
    """Another browser: its own cookie jar, the same server."""
    return httpx.AsyncClient(transport=client._transport, base_url=client.base_url)


async def me(client: httpx.AsyncClient, session: str) -> int:
    return (
        await client.get("/api/v1/me", headers={"authorization": f"Bearer {session}"})
    ).status_code


async def test_signing_in_again_ends_the_earlier_session_of_that_browser(
    client: httpx.AsyncClient, db: Database
) -> None:
    org = await make_org(db)
    async with browser(client) as tab:
        first = (await sign_in(tab, org, org.ana.email)).cookies[SESSION_COOKIE]
        second = (await sign_in(tab, org, org.ana.email)).cookies[SESSION_COOKIE]
        assert first != second
        assert (await me(tab, first), await me(tab, second)) == (401, 200)


async def test_a_role_change_signs_the_agent_out_and_logout_everywhere_ends_every_session(
    client: httpx.AsyncClient, db: Database
) -> None:
    org = await make_org(db)
    async with browser(client) as laptop, browser(client) as phone:
        on_laptop = (await sign_in(laptop, org, org.ben.email)).cookies[SESSION_COOKIE]
        on_phone = (await sign_in(phone, org, org.ben.email)).cookies[SESSION_COOKIE]
        promoted = await client.patch(
            f"/api/v1/admin/agents/{org.ben.id}",
            json={"role": "admin"},
            headers=org.auth(org.admin),
        )
        assert promoted.status_code == 200
        assert (await me(client, on_laptop), await me(client, on_phone)) == (401, 401)

        on_laptop = (await sign_in(laptop, org, org.ben.email)).cookies[SESSION_COOKIE]
        on_phone = (await sign_in(phone, org, org.ben.email)).cookies[SESSION_COOKIE]
        csrf = laptop.cookies[CSRF_COOKIE]
        ended = await laptop.post("/api/v1/auth/logout-everywhere", headers={"x-csrf-token": csrf})
        assert ended.status_code == 204
        assert (await me(client, on_laptop), await me(client, on_phone)) == (401, 401)
        assert (await client.get("/api/v1/me", headers=org.auth(org.ben))).status_code == 200
        forged = await phone.post("/api/v1/auth/logout-everywhere")  # no session, no CSRF
        assert forged.status_code in (401, 403)
