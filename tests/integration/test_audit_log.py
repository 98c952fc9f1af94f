"""The audit log: every admin call the test makes is written once, with who, what,
when and from where; refused calls and personal changes are not; admins read and
filter it and export it as CSV; nothing can change or remove an entry."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError

from caseroom.storage.uow import Database, UnitOfWork
from tests.builders import PASSWORD, Org, make_org


class AdminCalls:
    """Makes admin API calls and remembers the audit entry each should write."""

    def __init__(self, client: httpx.AsyncClient, org: Org) -> None:
        self.client, self.org = client, org
        self.expected: list[tuple[str, str | None]] = []  # (action, target id)

    async def call(
        self, method: str, path: str, body: Any = None, *, action: str, target: str | None = ""
    ) -> dict[str, Any]:
        response = await self.client.request(
            method, f"/api/v1{path}", json=body, headers=self.org.auth(self.org.admin)
        )
        assert response.status_code < 300, (path, response.text)
        data: dict[str, Any] = response.json() if response.content else {}
        self.expected.append((action, data.get("id") if target == "" else target))
        return data


async def all_entries(client: httpx.AsyncClient, org: Org, **query: str) -> list[dict[str, Any]]:
    response = await client.get(
        "/api/v1/admin/audit", params={"limit": "200", **query}, headers=org.auth(org.admin)
    )
    assert response.status_code == 200, response.text
    entries: list[dict[str, Any]] = response.json()["entries"]
    return entries


async def test_each_admin_call_writes_one_entry_and_nothing_else_does(
    client: httpx.AsyncClient, db: Database
) -> None:
    org = await make_org(db)
    calls = AdminCalls(client, org)
    invited = await calls.call(
        "POST", "/admin/agents", {"email": f"kai@{org.slug}.example", "name": "Kai"},
        action="agent.add", target=None,
    )  # fmt: skip
    kai = invited["agent"]["id"]
    calls.expected[-1] = ("agent.add", kai)
    calls.expected.append(("agent.invite", kai))  # the same call writes both
    await calls.call("PATCH", f"/admin/agents/{kai}", {"role": "admin"}, action="agent.update")
    await calls.call("POST", f"/admin/agents/{kai}/invite", action="agent.invite", target=kai)
    await calls.call(
        "POST", f"/admin/agents/{org.ben.id}/deactivate", action="agent.deactivate",
        target=org.ben.id,
    )  # fmt: skip
    await calls.call("POST", f"/admin/agents/{org.ben.id}/reactivate", action="agent.reactivate")
    team = await calls.call(
        "POST", "/admin/teams", {"name": "Nights", "timezone": "Asia/Tokyo"}, action="team.create"
    )
    await calls.call(
        "PATCH", f"/admin/teams/{team['id']}", {"hours": "Mon 22:00-23:00"}, action="team.update"
    )
    token = await calls.call("POST", "/tokens", {"name": "reporting"}, action="api_token.create")
    await calls.call(
        "DELETE", f"/tokens/{token['id']}", action="api_token.revoke", target=token["id"]
    )
    canned = await calls.call(
        "POST", "/canned-responses", {"title": "Hello", "body": "Hi {{customer.first_name}}!"},
        action="canned.create",
    )  # fmt: skip
    await calls.call(
        "PUT", f"/canned-responses/{canned['id']}", {"title": "Hello", "body": "Hello!"},
        action="canned.update",
    )  # fmt: skip
    await calls.call(
        "DELETE", f"/canned-responses/{canned['id']}", action="canned.delete", target=canned["id"]
    )
    pattern = await calls.call(
        "POST", "/redaction-patterns", {"name": "Order codes", "pattern": r"ORD-\d{6}"},
        action="redaction_pattern.add",
    )  # fmt: skip
    await calls.call(
        "DELETE", f"/redaction-patterns/{pattern['id']}", action="redaction_pattern.remove",
        target=pattern["id"],
    )  # fmt: skip
    await calls.call(
        "PATCH", "/settings/widget", {"color": "#123456"}, action="widget.update", target=org.org.id
    )
    await calls.call(
        "POST", "/settings/widget/identity-secret", action="widget.rotate_identity_secret",
        target=org.org.id,
    )  # fmt: skip

    # Not admin actions, or refused: none of these is written.
    ana = org.auth(org.ana)
    personal = {"title": "Mine", "body": "My own words", "personal": True}
    assert (await client.post("/api/v1/canned-responses", json=personal, headers=ana)).is_success
    assert (await client.get("/api/v1/admin/agents", headers=org.auth(org.admin))).is_success
    refused = await client.post("/api/v1/admin/teams", json={"name": "X"}, headers=ana)
    assert refused.status_code == 403
    invalid = await client.post(
        "/api/v1/admin/teams", json={"name": "Y", "hours": "soon"}, headers=org.auth(org.admin)
    )
    assert invalid.status_code == 422

    entries = await all_entries(client, org)
    written = [(e["action"], e["target_id"]) for e in reversed(entries)]
    assert written == calls.expected
    for entry in entries:
        assert entry["actor"] == {"kind": "agent", "id": org.admin.id, "name": org.admin.name}
        assert entry["client_address"] == "127.0.0.1"
    deactivated = next(e for e in entries if e["action"] == "agent.deactivate")
    assert deactivated["detail"] == {"released_issue_ids": [], "sessions_revoked": 0}
    updated = next(e for e in entries if e["action"] == "agent.update")
    assert updated["detail"] == {"role": "admin", "sessions_revoked": 0}

    # Another organization's admin reads none of it.
    other = await make_org(db)
    assert await all_entries(client, other) == []


async def test_sign_ins_are_written_with_the_client_address(
    client: httpx.AsyncClient, db: Database
) -> None:
    org = await make_org(db)
    before = datetime.now(UTC) - timedelta(seconds=1)
    signed_in = await client.post(
        "/api/v1/auth/login", json={"email": org.ana.email, "password": PASSWORD}
    )
    assert signed_in.status_code == 200
    entries = await all_entries(client, org, action="auth.sign_in")
    assert len(entries) == 1
    entry = entries[0]
    assert entry["actor"]["id"] == org.ana.id and entry["client_address"] == "127.0.0.1"
    assert before <= datetime.fromisoformat(entry["created_at"]) <= datetime.now(UTC)


async def test_a_wrong_password_for_an_account_is_written_and_an_unknown_email_is_not(
    client: httpx.AsyncClient, db: Database
) -> None:
    org = await make_org(db)
    for email in (org.ana.email, f"nobody@{org.slug}.example"):
        wrong = await client.post("/api/v1/auth/login", json={"email": email, "password": "no"})
        assert wrong.status_code == 401
    (entry,) = await all_entries(client, org, action="auth.")
    assert (entry["action"], entry["target_id"]) == ("auth.sign_in_failed", org.ana.id)
    assert entry["actor"] == {"kind": "anonymous", "id": None, "name": "someone signing in"}
    assert entry["client_address"] == "127.0.0.1"


async def test_admins_filter_page_and_export_the_log(
    client: httpx.AsyncClient, db: Database
) -> None:
    org = await make_org(db)
    admin = org.auth(org.admin)
    for name in ("Mornings", "Days", "Evenings"):
        made = await client.post("/api/v1/admin/teams", json={"name": name}, headers=admin)
        assert made.status_code == 201
    await client.patch(f"/api/v1/admin/agents/{org.ben.id}", json={"name": "Ben B"}, headers=admin)

    teams = await all_entries(client, org, action="team.")
    assert [e["detail"]["name"] for e in teams] == ["Evenings", "Days", "Mornings"]
    exact = await all_entries(client, org, action="team")
    assert exact == []
    about_ben = await all_entries(client, org, target_id=org.ben.id)
    assert [e["action"] for e in about_ben] == ["agent.update"]
    by_admin = await all_entries(client, org, actor_id=org.admin.id)
    assert len(by_admin) == 4
    future = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    assert await all_entries(client, org, since=future) == []
    assert len(await all_entries(client, org, until=future)) == 4
    naive = await client.get(
        "/api/v1/admin/audit", params={"since": "2026-01-01T00:00:00"}, headers=admin
    )
    assert naive.status_code == 422

    first = await client.get("/api/v1/admin/audit", params={"limit": "3"}, headers=admin)
    page = first.json()
    assert len(page["entries"]) == 3 and page["next_before"] == page["entries"][-1]["id"]
    rest = await client.get(
        "/api/v1/admin/audit", params={"limit": "3", "before": page["next_before"]}, headers=admin
    )
    assert [e["action"] for e in rest.json()["entries"]] == ["team.create"]
    assert rest.json()["next_before"] is None

    exported = await client.get(
        "/api/v1/admin/audit.csv", params={"action": "team."}, headers=admin
    )
    assert exported.status_code == 200
    assert exported.headers["content-type"].startswith("text/csv")
    assert "attachment" in exported.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert [r["action"] for r in rows] == ["team.create"] * 3
    assert [r["id"] for r in rows] == [e["id"] for e in teams]
    assert rows[0]["actor_name"] == org.admin.name and rows[0]["client_address"] == "127.0.0.1"

    # A spreadsheet opening the file must not run what someone typed as a name.
    renamed = await client.patch(
        f"/api/v1/admin/agents/{org.admin.id}", json={"name": "=cmd|' /C calc'!A0"}, headers=admin
    )
    assert renamed.status_code == 200
    await client.post("/api/v1/admin/teams", json={"name": "Late"}, headers=admin)
    exported = await client.get("/api/v1/admin/audit.csv", headers=admin)
    newest = next(csv.DictReader(io.StringIO(exported.text)))
    assert (newest["action"], newest["actor_name"]) == ("team.create", "'=cmd|' /C calc'!A0")


@pytest.mark.parametrize(
    "statement", ["UPDATE audit_log SET action = 'x'", "DELETE FROM audit_log"]
)
async def test_the_log_is_append_only_in_the_database(db: Database, statement: str) -> None:
    org = await make_org(db)

    async def add(uow: UnitOfWork) -> None:
        from caseroom.domain.audit import operator_actor
        from caseroom.services.audit import audit

        await audit(uow, org.org.id, operator_actor("operator (test)"), "test.entry")

    await db.run(add)

    async def change(uow: UnitOfWork) -> None:
        await uow.connection.execute(
            sa.text(f"{statement} WHERE org_id = :org"), {"org": org.org.id}
        )

    with pytest.raises(DBAPIError, match="append-only"):
        await db.run(change, attempts=1)


async def test_channel_set_up_is_logged_with_the_secrets_names_never_their_values(
    client: httpx.AsyncClient, db: Database
) -> None:
    org = await make_org(db)
    admin = org.auth(org.admin)
    body = {"config": {"from_number": "+14155550000"}, "secrets": {"auth_token": "tok-hidden-9"}}
    put = await client.put("/api/v1/settings/channels/sms", json=body, headers=admin)
    assert put.status_code == 200, put.text
    removed = await client.delete("/api/v1/settings/channels/sms", headers=admin)
    assert removed.status_code == 204
    entries = await all_entries(client, org, action="channel.")
    assert [(e["action"], e["target_id"]) for e in entries] == [
        ("channel.remove", "sms"),
        ("channel.update", "sms"),
    ]
    assert entries[1]["detail"]["secrets_set"] == ["auth_token"]
    assert "tok-hidden-9" not in str(entries)
    csv_export = await client.get("/api/v1/admin/audit.csv", headers=admin)
    assert "tok-hidden-9" not in csv_export.text
