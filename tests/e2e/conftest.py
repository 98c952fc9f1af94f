"""A real caseroom server (uvicorn in a subprocess on a free port) for end-to-end
tests, on SQLite or PostgreSQL."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from playwright.async_api import Browser, async_playwright

from caseroom.storage.uow import Database
from tests.builders import open_database
from tests.components import free_port, require_chromium


@dataclass
class Server:
    url: str
    database_url: str
    process: subprocess.Popen[bytes]
    log: Path
    env: dict[str, str] = field(default_factory=dict)

    @property
    def ws_url(self) -> str:
        return self.url.replace("http://", "ws://") + "/api/v1/stream"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


# The shared servers below outlive the e2e tests and share their databases with
# the integration tests that run next. A worker polling those would take the
# integration tests' jobs and store the files in its own blob store; without the
# poll it still runs its own jobs at once (a commit that writes one wakes it).
NO_POLL = {"job_poll_seconds": "86400"}
# Only keeps a broken start from hanging: a busy 2-core machine can take a while.
START_GUARD = 90.0


def start_server(
    database_url: str, log: Path, *, port: int | None = None, **settings: str
) -> Server:
    """Run `caseroom serve` with the given CASEROOM_* settings and wait until it answers."""
    port = port or free_port()
    env = {**os.environ, "CASEROOM_DATABASE_URL": database_url, "CASEROOM_LIMITS_ENABLED": "false"}
    env.update({f"CASEROOM_{k.upper()}": v for k, v in settings.items()})
    output = log.open("ab")
    process = subprocess.Popen(
        [sys.executable, "-m", "caseroom.cli", "serve", "--port", str(port)],
        env=env,
        stdout=output,
        stderr=subprocess.STDOUT,
    )
    server = Server(f"http://127.0.0.1:{port}", database_url, process, log, env)
    deadline = time.monotonic() + START_GUARD
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited early:\n{log.read_text()[-3000:]}")
        try:
            if httpx.get(f"{server.url}/healthz", timeout=1).status_code == 200:
                return server
        except httpx.HTTPError:
            time.sleep(0.1)
    server.stop()
    raise RuntimeError(f"server did not start:\n{log.read_text()[-3000:]}")


@pytest.fixture(scope="session", params=["sqlite", "postgres"])
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    """One running server per database kind, shared by the e2e tests (each test
    builds its own organization, so they do not see each other)."""
    database_url = str(request.getfixturevalue(f"{request.param}_url"))
    running = start_server(
        database_url, tmp_path_factory.mktemp("server") / "server.log", **NO_POLL
    )
    yield running
    running.stop()


@pytest.fixture
async def server_db(server: Server) -> AsyncIterator[Database]:
    async with open_database(server.database_url) as db:
        yield db


@pytest.fixture
async def http(server: Server) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=server.url, timeout=30) as client:
        yield client


# -- browsers ------------------------------------------------------------------------

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # Like a default desktop Chrome, let frames embedded in a site keep storage
    # (the widget's conversation); this build starts with third-party cookies
    # phased out, which denies an embedded frame its localStorage.
    "--disable-features=TrackingProtection3pcd",
]


@pytest.fixture(scope="session")
def web_server(sqlite_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """One server for the browser tests, on SQLite (the API tests cover both
    databases; what a browser adds is the page)."""
    running = start_server(sqlite_url, tmp_path_factory.mktemp("web") / "server.log", **NO_POLL)
    yield running
    running.stop()


@pytest.fixture
async def web_db(web_server: Server) -> AsyncIterator[Database]:
    async with open_database(web_server.database_url) as db:
        yield db


@pytest.fixture
async def web_http(web_server: Server) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=web_server.url, timeout=30) as client:
        yield client


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    """Debian's Chromium, headless; never a downloaded browser."""
    executable = require_chromium()
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield launched
        await launched.close()


@pytest.fixture(scope="session")
def screenshots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where browser tests save pictures: CASEROOM_SCREENSHOTS (e.g. docs/screenshots)
    when set, else a temporary folder."""
    chosen = os.environ.get("CASEROOM_SCREENSHOTS")
    folder = Path(chosen) if chosen else tmp_path_factory.mktemp("screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder
