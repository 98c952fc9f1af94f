"""The admin API for agents and teams: invitations that set a password once, roles
and teams, deactivation (open Issues back to the queue, signed out at once) and
reactivation; a plain agent is refused (403) and another organization's ids are
not found (404)."""

from __future__ import annotations

import re
from typing import Any

import httpx

from caseroom.storage.uow import Database
from tests.builders import PASSWORD, Org, make_org, start_chat


def token_of(invite_url: str) -> str:
    found = re.search(r"/invite#token=(\S+)$", invite_url)
    assert found, invite_url
    return found[1]


async def sign_in(client: httpx.AsyncClient, email: str, password: str) -> httpx.Response:
    return await client.post("/api/v1/auth/login", json={"email": email, "password": password})


async def invite(client: httpx.AsyncClient, org: Org, **fields: Any) -> dict[str, Any]:
    body = {"email": "new.agent@example.com", "name": "Nia New", "team_ids": [org.team.id]}
    response = await client.post(
        "/api/v1/admin/agents", json={**body, **fields}, headers=org.auth(org.admin)
    )
    assert response.status_code == 201, response.text
    data: dict[str, Any] = response.json()
    return data


async def test_an_invitation_link_sets_the_password_once(
    client: httpx.AsyncClient, db: Database
) -> None:
    org = await make_org(db)
    invited = await invite(client, org, email=f"nia@{org.slug}.example")
    assert invited["agent"] | {"id": None} == {
        "id": None, "name": "Nia New", "email": f"nia@{org.slug}.example", "role": "agent",
        "team_ids": [org.team.id], "active": True, "invited": True,
    }  # fmt: skip
    token = token_of(invited["invite_url"])
    # The link is no bearer token: it signs nobody in.
    me = await client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 401

    short = await client.post("/api/v1/invites/accept", json={"token": token, "password": "short"})
    assert short.status_code == 422 and short.json()["field"] == "password"
    done = await client.post(
        "/api/v1/invites/accept", json={"token": token, "password": "nias new password"}
    )
    assert done.status_code == 200, done.text
    again = await client.post(
        "/api/v1/invites/accept", json={"token": token, "password": "another password"}
    )
    assert again.status_code == 401

    assert (await sign_in(client, f"nia@{org.slug}.example", "another password")).status_code == 401
    signed_in = await sign_in(client, f"nia@{org.slug}.example", "nias new password")
    assert signed_in.status_code == 200, signed_in.text
    listed = await client.get("/api/v1/admin/agents", headers=org.auth(org.admin))
    nia = next(a for a in listed.json() if a["id"] == invited["agent"]["id"])
    assert nia["invited"] is False

    # A new link replaces the old one.
    first = await client.post(
        f"/api/v1/admin/agents/{nia['id']}/invite", headers=org.auth(org.admin)
    )
    second = await client.post(
        f"/api/v1/admin/agents/{nia['id']}/invite", headers=org.auth(org.admin)
    )
    stale = {"token": token_of(first.json()["invite_url"]), "password": "a third password"}
    assert (await client.post("/api/v1/invites/accept", json=stale)).status_code == 401
    fresh = {"token": token_of(second.json()["invite_url"]), "password": "a third password"}
    assert (await client.post("/api/v1/invites/accept", json=fresh)).status_code == 200


async def test_inviting_checks_what_it_is_given(client: httpx.AsyncClient, db: Database) -> None:
    org, other = await make_org(db), await make_org(db)
    headers = org.auth(org.admin)
    cases = [
        ({"email": org.ana.email, "name": "Twin"}, 409, "email"),
        ({"email": "not-an-address", "name": "X"}, 422, "email"),
        ({"email": "ok@example.com", "name": "  "}, 422, "name"),
        ({"email": "ok@example.com", "name": "X", "team_ids": [other.team.id]}, 404, "team_ids"),
        ({"email": "ok@example.com", "name": "X", "role": "owner"}, 422, None),
    ]
    for body, status, field in cases:
        response = await client.post("/api/v1/admin/agents", json=body, headers=headers)
        assert response.status_code == status, (body, response.text)
        if field:
            assert response.json()["field"] == field


async def test_role_and_teams_change_and_the_last_admin_stays(
    client: httpx.AsyncClient, db: Database
) -> None:
    org = await make_org(db)
    headers = org.auth(org.admin)
    team = await client.post(
        "/api/v1/admin/teams", json={"name": "Billing", "member_ids": []}, headers=headers
    )
    billing = team.json()["id"]
    changed = await client.patch(
        f"/api/v1/admin/agents/{org.ana.id}",
        json={"role": "admin", "team_ids": [billing], "name": "Ana Lead"},
        headers=headers,
    )
    assert changed.status_code == 200, changed.text
    assert (changed.json()["role"], changed.json()["team_ids"]) == ("admin", [billing])
    # Ana's own token now reaches the admin API; her inbox is Billing's.
    assert (await client.get("/api/v1/admin/agents", headers=org.auth(org.ana))).status_code == 200
    me = await client.get("/api/v1/me", headers=org.auth(org.ana))
    assert me.json()["agent"]["team_ids"] == [billing]
    members = await client.get(f"/api/v1/admin/teams/{billing}", headers=headers)
    assert members.json()["member_ids"] == [org.ana.id]

    demote = await client.patch(
        f"/api/v1/admin/agents/{org.ana.id}", json={"role": "agent"}, headers=headers
    )
    assert demote.status_code == 200
    last = await client.patch(
        f"/api/v1/admin/agents/{org.admin.id}", json={"role": "agent"}, headers=headers
    )
    assert last.status_code == 409
    myself = await client.post(f"/api/v1/admin/agents/{org.admin.id}/deactivate", headers=headers)
    assert myself.status_code == 409


async def test_deactivation_returns_open_issues_and_signs_the_agent_out_at_once(
    client: httpx.AsyncClient, db: Database
) -> None:
    org = await make_org(db)
    chats = [await start_chat(client, org, message=f"question {n}") for n in range(3)]
    for chat in chats[:2]:
        claimed = await client.post(
            f"/api/v1/issues/{chat.issue_id}/claim", headers=org.auth(org.ana)
        )
        assert claimed.status_code == 200
    resolved = chats[1].issue_id
    await client.post(f"/api/v1/issues/{resolved}/resolve", headers=org.auth(org.ana))
    # Ana is also signed in in a browser.
    browser = httpx.AsyncClient(transport=client._transport, base_url="http://testserver")
    async with browser:
        assert (await sign_in(browser, org.ana.email, PASSWORD)).status_code == 200
        assert (await browser.get("/api/v1/me")).status_code == 200

        done = await client.post(
            f"/api/v1/admin/agents/{org.ana.id}/deactivate", headers=org.auth(org.admin)
        )
        assert done.status_code == 200, done.text
        assert done.json()["released_issue_ids"] == [chats[0].issue_id]
        assert done.json()["sessions_revoked"] == 1
        assert done.json()["agent"]["active"] is False

        assert (await browser.get("/api/v1/me")).status_code == 401
        assert (await client.get("/api/v1/me", headers=org.auth(org.ana))).status_code == 401
        assert (await sign_in(browser, org.ana.email, PASSWORD)).status_code == 401

    issue = await client.get(f"/api/v1/issues/{chats[0].issue_id}", headers=org.auth(org.ben))
    assert issue.json()["status"] == "unclaimed"
    assert issue.json()["owner_agent_id"] is None
    assert issue.json()["team_id"] == org.team.id
    queue = await client.get(
        "/api/v1/issues", params={"queue": "unclaimed"}, headers=org.auth(org.ben)
    )
    assert chats[0].issue_id in [i["id"] for i in queue.json()["items"]]
    activity = await client.get(
        f"/api/v1/issues/{chats[0].issue_id}/activity", headers=org.auth(org.ben)
    )
    last = activity.json()[-1]
    assert (last["action"], last["actor_id"]) == ("assign", org.admin.id)
    # The resolved Issue keeps its owner (it is not open).
    kept = await client.get(f"/api/v1/issues/{resolved}", headers=org.auth(org.ben))
    assert kept.json()["owner_agent_id"] == org.ana.id
    directory = await client.get("/api/v1/agents", headers=org.auth(org.ben))
    assert org.ana.id not in [a["id"] for a in directory.json()]

    back = await client.post(
        f"/api/v1/admin/agents/{org.ana.id}/reactivate", headers=org.auth(org.admin)
    )
    assert back.status_code == 200 and back.json()["active"] is True
    assert (await sign_in(client, org.ana.email, PASSWORD)).status_code == 200
    assert (await client.get("/api/v1/me", headers=org.auth(org.ana))).status_code == 200


ADMIN_CALLS = [
    ("GET", "/api/v1/admin/agents", None),
    ("POST", "/api/v1/admin/agents", {"email": "x@example.com", "name": "X"}),
    ("PATCH", "/api/v1/admin/agents/{agent}", {"role": "admin"}),
    ("POST", "/api/v1/admin/agents/{agent}/invite", None),
    ("POST", "/api/v1/admin/agents/{agent}/deactivate", None),
    ("POST", "/api/v1/admin/agents/{agent}/reactivate", None),
    ("GET", "/api/v1/admin/teams", None),
    ("POST", "/api/v1/admin/teams", {"name": "Night shift"}),
    ("GET", "/api/v1/admin/teams/{team}", None),
    ("PATCH", "/api/v1/admin/teams/{team}", {"hours": "Mon 09:00-10:00"}),
    ("GET", "/api/v1/admin/audit", None),
    ("GET", "/api/v1/admin/audit.csv", None),
    ("GET", "/api/v1/tokens", None),
    ("POST", "/api/v1/tokens", {"name": "ci"}),
]


def _call(target: Org) -> list[tuple[str, str, Any]]:
    return [(m, p.format(agent=target.ben.id, team=target.team.id), b) for m, p, b in ADMIN_CALLS]


async def test_a_plain_agent_gets_403_from_every_admin_api(
    client: httpx.AsyncClient, db: Database
) -> None:
    org = await make_org(db)
    for method, path, body in _call(org):
        response = await client.request(method, path, json=body, headers=org.auth(org.ana))
        assert response.status_code == 403, (method, path, response.text)


async def test_another_organizations_ids_are_not_found(
    client: httpx.AsyncClient, db: Database
) -> None:
    org, other = await make_org(db), await make_org(db)
    for method, template, body in [c for c in ADMIN_CALLS if "{" in c[1]]:
        path = template.format(agent=other.ben.id, team=other.team.id)
        response = await client.request(method, path, json=body, headers=org.auth(org.admin))
        assert response.status_code == 404, (method, path, response.text)
    # ... and nothing changed over there.
    agents = await client.get("/api/v1/admin/agents", headers=other.auth(other.admin))
    ben = next(a for a in agents.json() if a["id"] == other.ben.id)
    assert (ben["role"], ben["active"]) == ("agent", True)
    team = await client.get(f"/api/v1/admin/teams/{other.team.id}", headers=other.auth(other.admin))
    assert team.json()["hours"] is None


async def test_teams_have_hours_and_a_real_time_zone(
    client: httpx.AsyncClient, db: Database
) -> None:
    org = await make_org(db)
    headers = org.auth(org.admin)
    made = await client.post(
        "/api/v1/admin/teams",
        json={
            "name": "Weekend",
            "hours": "sat-sun 10:00-14:00, Fri 16:00-20:00",
            "timezone": "America/Sao_Paulo",
            "member_ids": [org.ben.id],
        },
        headers=headers,
    )
    assert made.status_code == 201, made.text
    team = made.json()
    assert team["hours"] == "Sat-Sun 10:00-14:00, Fri 16:00-20:00"
    assert (team["timezone"], team["member_ids"]) == ("America/Sao_Paulo", [org.ben.id])

    bad = [
        ({"hours": "weekdays 9-5"}, "hours"),
        ({"hours": "Mon-Fri 17:00-09:00"}, "hours"),
        ({"hours": "Mon-Fri 09:00-25:00"}, "hours"),
        ({"timezone": "Europe/Atlantis"}, "timezone"),
        ({"timezone": "../../etc/passwd"}, "timezone"),
        ({"member_ids": ["nobody"]}, "member_ids"),
    ]
    for body, field in bad:
        response = await client.patch(
            f"/api/v1/admin/teams/{team['id']}", json=body, headers=headers
        )
        assert response.status_code in (404, 422), (body, response.text)
        assert response.json()["field"] == field
    duplicate = await client.post("/api/v1/admin/teams", json={"name": "weekend"}, headers=headers)
    assert duplicate.status_code == 409

    cleared = await client.patch(
        f"/api/v1/admin/teams/{team['id']}", json={"hours": "", "member_ids": []}, headers=headers
    )
    assert (cleared.json()["hours"], cleared.json()["member_ids"]) == (None, [])
    assert cleared.json()["timezone"] == "America/Sao_Paulo"  # untouched
    listed = await client.get("/api/v1/admin/teams", headers=headers)
    assert [t["name"] for t in listed.json()] == ["Support", "Weekend"]
