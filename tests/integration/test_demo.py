"""`caseroom demo` on a fresh database: people, Issues, and canned responses the
composer can offer at once."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

import httpx

from caseroom.app import create_app
from caseroom.config import Settings
from caseroom.demo import ADMIN, AGENTS


async def test_the_demo_ships_canned_responses_an_agent_can_use(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'demo.db'}"
    caseroom = str(Path(sys.executable).with_name("caseroom"))
    for _ in range(2):  # idempotent
        command = [caseroom, "demo", "--database-url", url]
        done = await asyncio.to_thread(subprocess.run, command, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr

    app = create_app(Settings(database_url=url, data_dir=tmp_path / "data"))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            email, _, password = AGENTS[0]
            signed_in = await client.post(
                "/api/v1/auth/login", json={"email": email, "password": password}
            )
            assert signed_in.status_code == 200
            found = await client.get("/api/v1/canned-responses")
            titles = {c["title"]: c for c in found.json()}
            assert {"Greeting", "Where is my order", "Billing address", "Closing"} <= set(titles)
            assert len(found.json()) == 4  # loaded once
            queue = await client.get("/api/v1/issues", params={"queue": "mine"})
            maria = next(i for i in queue.json()["items"] if i["status"] == "claimed")
            rendered = await client.get(
                f"/api/v1/canned-responses/{titles['Greeting']['id']}/render",
                params={"issue_id": maria["id"]},
            )
            assert rendered.json()["text"].startswith("Hi Maria, thanks for reaching out! I'm Ana")
            # The demo's admin reads how it was set up.
            admin = await client.post(
                "/api/v1/auth/login", json={"email": ADMIN[0], "password": ADMIN[2]}
            )
            assert admin.status_code == 200
            log = await client.get("/api/v1/admin/audit", params={"action": "canned."})
            assert len(log.json()["entries"]) == 4
