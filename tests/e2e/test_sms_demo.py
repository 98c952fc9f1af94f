"""SMS in the demo, with no provider account: `caseroom demo` gives the demo
organization a number at the built-in demo provider, `caseroom sms-demo text`
posts a signed text as the provider would, an agent's answer goes out through
the demo provider and comes back delivered, and `caseroom sms-demo outbox`
lists it."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import httpx

from caseroom.demo import AGENTS
from tests.components import free_port
from tests.e2e.conftest import start_server
from tests.e2e.servers import GUARD

CASEROOM = str(Path(sys.executable).with_name("caseroom"))


async def caseroom(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return await asyncio.to_thread(
        subprocess.run, [CASEROOM, *args], env=env, capture_output=True, text=True, timeout=60
    )


async def test_a_newcomer_texts_the_demo_and_reads_the_answer_in_the_outbox(tmp_path: Path) -> None:
    port = free_port()
    settings = {
        "database_url": f"sqlite+aiosqlite:///{tmp_path / 'demo.db'}",
        "data_dir": str(tmp_path / "data"),
        "public_url": f"http://127.0.0.1:{port}",
        "log_level": "WARNING",
    }
    env = {**os.environ, **{f"CASEROOM_{k.upper()}": v for k, v in settings.items()}}
    loaded = await caseroom(env, "demo")
    assert loaded.returncode == 0, loaded.stderr
    server = start_server(
        settings["database_url"],
        tmp_path / "server.log",
        port=port,
        public_url=settings["public_url"],
        data_dir=settings["data_dir"],
        sms_demo_provider="true",
    )
    try:
        texted = await caseroom(env, "sms-demo", "text", "+1 415 555 0142", "Hi, is the shop open?")
        assert texted.returncode == 0, texted.stderr
        assert "texted +15005550006 from +1 415 555 0142" in texted.stdout

        async with httpx.AsyncClient(base_url=server.url, timeout=30) as http:
            email, _, password = AGENTS[0]
            signed_in = await http.post(
                "/api/v1/auth/login", json={"email": email, "password": password}
            )
            assert signed_in.status_code == 200
            csrf = {"X-CSRF-Token": http.cookies["caseroom_csrf"]}
            queue = await http.get("/api/v1/issues", params={"queue": "unclaimed"})
            (issue,) = [i for i in queue.json()["items"] if i["subject"] == "Hi, is the shop open?"]
            answer = await http.post(
                f"/api/v1/issues/{issue['id']}/rooms/public/messages",
                json={"body": "Yes, until 6 pm today.", "idempotency_key": "demo-answer-1"},
                headers=csrf,
            )
            assert answer.status_code == 201 and answer.json()["channel"] == "sms", answer.text

            async def delivered() -> None:
                while True:
                    page = await http.get(f"/api/v1/issues/{issue['id']}/rooms/public/messages")
                    mine = [m for m in page.json()["items"] if m["id"] == answer.json()["id"]]
                    if mine and [d["state"] for d in mine[0]["deliveries"]] == ["delivered"]:
                        return
                    await asyncio.sleep(0.1)

            await asyncio.wait_for(delivered(), GUARD)
        outbox = await caseroom(env, "sms-demo", "outbox")
        assert outbox.returncode == 0, outbox.stderr
        assert "to +14155550142  [delivered]  Yes, until 6 pm today." in outbox.stdout
    finally:
        server.stop()
