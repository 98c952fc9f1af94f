"""The operator's `caseroom` commands against a real database and a real app:
tokens made and revoked from a shell work and stop working over HTTP, a locked-out
admin gets back in, agents are switched off and on, and each command is in the
audit log as the operator's, from `cli`."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from caseroom.app import create_app
from caseroom.config import Settings

CASEROOM = str(Path(sys.executable).with_name("caseroom"))
PASSWORD = "the first password"


async def caseroom(url: str, *args: str, env: dict[str, str] | None = None) -> Any:
    """Run `caseroom <args> --database-url url` with no terminal."""
    command = [CASEROOM, *args, "--database-url", url]
    return await asyncio.to_thread(
        subprocess.run,
        command,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        env={**os.environ, **(env or {})},
    )


@pytest.fixture
async def desk(tmp_path: Path) -> AsyncIterator[tuple[str, httpx.AsyncClient]]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'desk.db'}"
    done = await caseroom(
        url, "init", "--no-input", "--org-name", "Acme", "--org-slug", "acme",
        "--admin-email", "ops@acme.example", "--admin-name", "Ola Ops",
        env={"CASEROOM_ADMIN_PASSWORD": PASSWORD},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    app = create_app(Settings(database_url=url, data_dir=tmp_path / "data"))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield url, client


async def test_tokens_from_the_shell_work_until_revoked(
    desk: tuple[str, httpx.AsyncClient],
) -> None:
    url, client = desk
    made = await caseroom(
        url, "token", "create", "--org", "acme", "--email", "ops@acme.example", "--name", "ci"
    )
    assert made.returncode == 0, made.stderr
    token_id, token = made.stdout.split()[1], made.stdout.split()[-1]
    bearer = {"Authorization": f"Bearer {token}"}
    assert (await client.get("/api/v1/admin/agents", headers=bearer)).status_code == 200
    listed = await caseroom(url, "token", "list", "--org", "acme")
    assert token_id in listed.stdout and "ci" in listed.stdout

    revoked = await caseroom(url, "token", "revoke", "--org", "acme", "--id", token_id)
    assert revoked.returncode == 0, revoked.stderr
    assert (await client.get("/api/v1/me", headers=bearer)).status_code == 401
    again = await caseroom(url, "token", "revoke", "--org", "acme", "--id", token_id)
    assert again.returncode == 1 and "no such live API token" in again.stderr

    nobody = await caseroom(
        url, "token", "create", "--org", "acme", "--email", "x@acme.example", "--name", "n"
    )
    assert nobody.returncode == 1 and "no agent x@acme.example" in nobody.stderr
    elsewhere = await caseroom(url, "token", "list", "--org", "nope")
    assert elsewhere.returncode == 1 and "no organization 'nope'" in elsewhere.stderr


async def test_a_locked_out_admin_gets_back_in(desk: tuple[str, httpx.AsyncClient]) -> None:
    url, client = desk
    old = await client.post(
        "/api/v1/auth/login", json={"email": "ops@acme.example", "password": PASSWORD}
    )
    assert old.status_code == 200
    assert (await client.get("/api/v1/me")).status_code == 200  # the session cookie

    short = await caseroom(
        url, "admin", "reset-password", "--org", "acme", "--email", "ops@acme.example",
        env={"CASEROOM_ADMIN_PASSWORD": "short"},
    )  # fmt: skip
    assert short.returncode == 1 and "at least 10 characters" in short.stderr
    reset = await caseroom(
        url, "admin", "reset-password", "--org", "acme", "--email", "ops@acme.example",
        env={"CASEROOM_ADMIN_PASSWORD": "a brand new password"},
    )  # fmt: skip
    assert reset.returncode == 0, reset.stderr
    assert (await client.get("/api/v1/me")).status_code == 401  # signed out everywhere
    for password, status in ((PASSWORD, 401), ("a brand new password", 200)):
        response = await client.post(
            "/api/v1/auth/login", json={"email": "ops@acme.example", "password": password}
        )
        assert response.status_code == status


async def test_agents_switched_off_and_on_from_the_shell(
    desk: tuple[str, httpx.AsyncClient],
) -> None:
    url, client = desk
    added = await caseroom(
        url, "agent", "add", "--org", "acme", "--email", "kim@acme.example", "--name", "Kim",
        "--team", "Support",
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    token = added.stdout.split("/invite#token=")[1].split()[0]
    accepted = await client.post(
        "/api/v1/invites/accept", json={"token": token, "password": "kims password"}
    )
    assert accepted.status_code == 200
    kim = {"email": "kim@acme.example", "password": "kims password"}
    assert (await client.post("/api/v1/auth/login", json=kim)).status_code == 200

    off = await caseroom(url, "agent", "deactivate", "--org", "acme", "--email", "kim@acme.example")
    assert off.returncode == 0 and "1 session(s) ended" in off.stdout, off.stdout
    assert (await client.get("/api/v1/me")).status_code == 401
    assert (await client.post("/api/v1/auth/login", json=kim)).status_code == 401
    last = await caseroom(
        url, "agent", "deactivate", "--org", "acme", "--email", "ops@acme.example"
    )
    assert last.returncode == 1 and "last active admin" in last.stderr
    on = await caseroom(url, "agent", "reactivate", "--org", "acme", "--email", "kim@acme.example")
    assert on.returncode == 0
    assert (await client.post("/api/v1/auth/login", json=kim)).status_code == 200

    orgs = await caseroom(url, "orgs")
    assert "acme" in orgs.stdout and "2 active agents" in orgs.stdout

    admin = await client.post(
        "/api/v1/auth/login", json={"email": "ops@acme.example", "password": PASSWORD}
    )
    csrf = {"X-CSRF-Token": admin.json()["csrf_token"]}
    log = await client.get("/api/v1/admin/audit", params={"limit": "100"}, headers=csrf)
    by_operator = [
        (e["action"], e["client_address"]) for e in reversed(log.json()["entries"])
        if e["actor"]["kind"] == "operator"
    ]  # fmt: skip
    assert by_operator == [
        ("organization.create", "cli"), ("team.create", "cli"), ("agent.add", "cli"),
        ("agent.add", "cli"), ("agent.invite", "cli"), ("agent.deactivate", "cli"),
        ("agent.reactivate", "cli"),
    ]  # fmt: skip
    operators = {
        e["actor"]["name"] for e in log.json()["entries"] if e["actor"]["kind"] == "operator"
    }
    assert len(operators) == 1 and operators.pop().startswith("operator (")


def test_init_asks_for_what_it_is_not_given(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from caseroom import admin_cli, cli

    answers = iter(
        [
            "Fjord Bikes",
            "",
            "Ivo@Fjord.example",
            "Ivo Admin",
            "",
            "Mon-Sat 09:00-18:00",
            "Europe/Oslo",
        ]
    )
    asked: list[str] = []

    def answer(prompt: str) -> str:
        asked.append(prompt)
        return next(answers)

    monkeypatch.setattr(admin_cli.sys.stdin, "isatty", lambda: True)
    monkeypatch.setattr("builtins.input", answer)
    monkeypatch.setattr(admin_cli.getpass, "getpass", lambda prompt: "ivos long password")
    monkeypatch.delenv(admin_cli.PASSWORD_ENV, raising=False)
    url = f"sqlite+aiosqlite:///{tmp_path / 'asked.db'}"
    assert cli.main(["init", "--database-url", url]) == 0
    out = capsys.readouterr().out
    assert "organization 'fjord-bikes' (Fjord Bikes) is ready" in out  # the suggested slug
    assert asked[1] == "Short name for chat links [fjord-bikes]: "
    assert asked[4] == "First team [Support]: "
    assert cli.main(["orgs", "--database-url", url]) == 0
    assert "fjord-bikes" in capsys.readouterr().out
