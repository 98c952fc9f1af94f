"""From nothing to a working desk with no Python written: `caseroom init` on a fresh
database (flags, as a script would), or the first-run page with the code the
server printed; then an agent signs in, a Customer writes and the agent answers."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.async_api import Browser, expect

from tests.e2e.conftest import Server, start_server

PASSWORD = "a long first password"
expect.set_options(timeout=15_000)  # a guard against hanging, never what a test asserts
CASEROOM = str(Path(sys.executable).with_name("caseroom"))


def caseroom(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [CASEROOM, *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        stdin=subprocess.DEVNULL,
        timeout=120,
    )


@pytest.fixture
def fresh_url(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'fresh.db'}"


@pytest.fixture
def fresh_server(fresh_url: str, tmp_path: Path) -> Iterator[Server]:
    """A server on a database with no schema yet: it migrates nothing itself, so
    the test migrates first, as `make run` does."""
    done = caseroom("migrate", "--database-url", fresh_url)
    assert done.returncode == 0, done.stderr
    server = start_server(fresh_url, tmp_path / "server.log")
    yield server
    server.stop()


def printed_code(server: Server) -> str:
    found = re.search(
        r"with the code ([a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4})", server.log.read_text()
    )
    assert found, server.log.read_text()
    return found[1]


async def agent_answers_a_customer(url: str, slug: str, email: str, password: str) -> None:
    """Sign in as a browser does (cookie and CSRF header), take the Customer's
    new Issue from the queue and answer it; the Customer reads the answer."""
    async with httpx.AsyncClient(base_url=url, timeout=30) as agent:
        signed_in = await agent.post(
            "/api/v1/auth/login", json={"email": email, "password": password}
        )
        assert signed_in.status_code == 200, signed_in.text
        csrf = {"X-CSRF-Token": signed_in.json()["csrf_token"]}

        async with httpx.AsyncClient(base_url=url, timeout=30) as customer:
            contact = {"name": "Robin Reyes", "email": "robin@example.com"}
            started = await customer.post(
                f"/api/v1/organizations/{slug}/conversations",
                json={**contact, "message": "Hi, is my order shipped?"},
            )
            assert started.status_code == 201, started.text
            issue_id = started.json()["issue"]["id"]
            customer_auth = {"Authorization": f"Bearer {started.json()['customer_token']}"}

            queue = await agent.get("/api/v1/issues", params={"queue": "unclaimed"})
            assert queue.status_code == 200, queue.text
            assert issue_id in [i["id"] for i in queue.json()["items"]]
            claimed = await agent.post(f"/api/v1/issues/{issue_id}/claim", headers=csrf)
            assert claimed.status_code == 200, claimed.text
            answer = "Yes Robin, it left our warehouse this morning."
            sent = await agent.post(
                f"/api/v1/issues/{issue_id}/rooms/public/messages",
                json={"body": answer, "idempotency_key": uuid.uuid4().hex},
                headers=csrf,
            )
            assert sent.status_code == 201, sent.text

            read = await customer.get(
                f"/api/v1/issues/{issue_id}/rooms/public/messages", headers=customer_auth
            )
            assert read.status_code == 200, read.text
            bodies = [m["body"] for m in read.json()["items"]]
            assert bodies == ["Hi, is my order shipped?", answer]


async def test_caseroom_init_from_flags_gives_a_working_desk(
    fresh_url: str, tmp_path: Path
) -> None:
    done = caseroom(
        "init", "--database-url", fresh_url, "--no-input",
        "--org-name", "Acme Outdoor", "--org-slug", "acme",
        "--admin-email", "Dana@Acme.example", "--admin-name", "Dana Admin",
        "--team", "Front desk", "--hours", "Mon-Fri 08:00-18:00", "--timezone", "Europe/Paris",
        env={"CASEROOM_ADMIN_PASSWORD": PASSWORD},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "organization 'acme' (Acme Outdoor) is ready" in done.stdout
    assert "/connect/acme" in done.stdout

    again = caseroom(
        "init", "--database-url", fresh_url, "--no-input", "--org-name", "Acme Outdoor",
        "--org-slug", "acme", "--admin-email", "x@acme.example", "--admin-name", "X",
        env={"CASEROOM_ADMIN_PASSWORD": PASSWORD},
    )  # fmt: skip
    assert again.returncode == 1
    assert "exists already" in again.stderr

    server = start_server(fresh_url, tmp_path / "server.log")
    try:
        # The server found an organization, so the first-run page stays shut.
        assert "Set one up at" not in server.log.read_text()
        async with httpx.AsyncClient(base_url=server.url, timeout=30) as anyone:
            assert (await anyone.get("/api/v1/setup")).json() == {"open": False}
            refused = await anyone.post("/api/v1/setup", json=setup_body("guess-guess-gues"))
            assert refused.status_code == 403
        await agent_answers_a_customer(server.url, "acme", "dana@acme.example", PASSWORD)

        # A second agent from the shell: the printed link sets their password.
        added = caseroom(
            "agent", "add", "--database-url", fresh_url, "--org", "acme",
            "--email", "sam@acme.example", "--name", "Sam Agent", "--team", "Front desk",
        )  # fmt: skip
        assert added.returncode == 0, added.stderr
        token = re.search(r"/invite#token=(\S+)", added.stdout)
        assert token, added.stdout
        async with httpx.AsyncClient(base_url=server.url, timeout=30) as sam:
            accepted = await sam.post(
                "/api/v1/invites/accept", json={"token": token[1], "password": "sams password!"}
            )
            assert accepted.status_code == 200, accepted.text
        await agent_answers_a_customer(server.url, "acme", "sam@acme.example", "sams password!")
    finally:
        server.stop()

    listed = caseroom("orgs", "--database-url", fresh_url)
    assert re.search(r"^acme\s+Acme Outdoor\s+2 active agents", listed.stdout, re.M), listed.stdout


def setup_body(code: str) -> dict[str, str]:
    return {
        "code": code,
        "org_name": "Birch & Co",
        "org_slug": "birch",
        "admin_email": "lee@birch.example",
        "admin_name": "Lee Admin",
        "admin_password": PASSWORD,
        "team_name": "Support",
        "hours": "Mon-Sat 10:00-16:00",
        "timezone": "America/New_York",
    }


async def test_first_run_page_needs_the_printed_code_and_works_once(fresh_server: Server) -> None:
    code = printed_code(fresh_server)
    async with httpx.AsyncClient(base_url=fresh_server.url, timeout=30) as anyone:
        page = await anyone.get("/setup")
        assert page.status_code == 200 and "Set up your desk" in page.text
        assert (await anyone.get("/api/v1/setup")).json() == {"open": True}

        wrong = await anyone.post("/api/v1/setup", json=setup_body("aaaa-bbbb-cccc"))
        assert wrong.status_code == 403, wrong.text
        missing = await anyone.post(
            "/api/v1/setup", json={k: v for k, v in setup_body(code).items() if k != "code"}
        )
        assert missing.status_code == 422
        bad_zone = await anyone.post(
            "/api/v1/setup", json={**setup_body(code), "timezone": "Mars/Olympus"}
        )
        assert bad_zone.status_code == 422 and bad_zone.json()["field"] == "timezone"
        assert (await anyone.get("/api/v1/setup")).json() == {"open": True}  # nothing was made

        done = await anyone.post("/api/v1/setup", json=setup_body(code))
        assert done.status_code == 201, done.text
        assert done.json()["chat_url"].endswith("/connect/birch")

        twice = await anyone.post("/api/v1/setup", json={**setup_body(code), "org_slug": "birch-2"})
        assert twice.status_code == 403, twice.text
        assert (await anyone.get("/api/v1/setup")).json() == {"open": False}
    await agent_answers_a_customer(fresh_server.url, "birch", "lee@birch.example", PASSWORD)


@pytest.mark.browser
async def test_the_first_run_page_in_a_browser(
    fresh_server: Server, browser: Browser, screenshots: Path
) -> None:
    code = printed_code(fresh_server)
    context = await browser.new_context(viewport={"width": 1280, "height": 800})
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    await page.goto(f"{fresh_server.url}/setup")
    await expect(page.locator("body")).to_have_attribute("data-ready", "true")
    await page.get_by_label("Name Customers see").fill("Birch & Co")
    await expect(page.get_by_label("Short name for chat links")).to_have_value("birch-co")
    await page.get_by_label("Your name").fill("Lee Admin")
    await page.get_by_label("Work email").fill("lee@birch.example")
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_label("Hours of operation").fill("Mon-Fri 09:00-17:00")
    await page.get_by_label("Time zone").fill("Europe/Dublin")
    await page.get_by_label("Setup code").fill("wrong-code-here")
    await page.get_by_role("button", name="Create the desk").click()
    await expect(page.locator("#setup-error")).to_contain_text("Wrong setup code")
    await page.get_by_label("Setup code").fill(code)
    await page.screenshot(path=str(screenshots / "setup-page.png"), full_page=True)
    await page.get_by_role("button", name="Create the desk").click()
    await expect(page.locator("#setup-done")).to_be_visible()
    await expect(page.locator("#setup-done-chat")).to_contain_text("/connect/birch-co")

    await page.goto(f"{fresh_server.url}/setup")  # once only
    await expect(page.locator("body")).to_have_attribute("data-ready", "true")
    await expect(page.locator("#setup-closed")).to_be_visible()
    await expect(page.locator("#setup-form")).to_be_hidden()
    assert errors == []
    await context.close()
