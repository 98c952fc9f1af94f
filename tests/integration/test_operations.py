"""What an operator relies on: the probes, /metrics, request ids, and the API
document (version, security schemes, docs served from local assets)."""

from __future__ import annotations

import asyncio
import io
import logging
import shutil
import subprocess
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from importlib import metadata
from pathlib import Path

import httpx
import orjson
import pytest
import structlog
from prometheus_client.parser import text_string_to_metric_families

from caseroom.app import create_app
from caseroom.config import Settings
from caseroom.logs import configure_logging
from caseroom.storage.database import create_engine
from caseroom.storage.uow import Database
from caseroom.web.observability import Readiness
from tests.builders import make_org, send, settle, start_chat
from tests.components import free_port, missing, port_open, unique


@asynccontextmanager
async def running(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            yield http


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


async def test_healthz_and_readyz_say_ok_on_a_migrated_database(
    client: httpx.AsyncClient,
) -> None:
    assert (await client.get("/healthz")).json() == {"status": "ok"}
    ready = await client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["checks"] == {"database": "ok", "broker": "ok"}


async def _readiness_of(settings: Settings) -> dict[str, str]:
    """What /readyz reports, for a database the app could not even start on (it
    reads the organizations at startup)."""
    engine = create_engine(settings.database_url)
    try:
        return await Readiness(settings, Database(engine, _no_events)).check()
    finally:
        await engine.dispose()


async def _no_events(_events: object) -> None:
    return None


async def test_readiness_fails_when_the_database_is_unreachable(tmp_path: Path) -> None:
    port = free_port()  # nothing listens there
    settings = Settings(
        database_url=f"postgresql+asyncpg://postgres@127.0.0.1:{port}/caseroom",
        data_dir=tmp_path,
        readiness_timeout_seconds=5,
    )
    checks = await _readiness_of(settings)
    assert checks["database"].startswith("unavailable")
    assert checks["broker"] == "ok"


async def test_readiness_fails_until_the_database_is_migrated(tmp_path: Path) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'fresh.db'}", data_dir=tmp_path)
    checks = await _readiness_of(settings)
    assert "caseroom migrate" in checks["database"]


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """A Redis server of this test's own, so that stopping it disturbs no one."""
    server = shutil.which("redis-server")
    if server is None:
        missing("Redis", "redis-server is not installed")
    port = free_port()
    process = subprocess.Popen(
        [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while not port_open("127.0.0.1", port) and time.monotonic() < deadline:
        time.sleep(0.05)
    yield f"redis://127.0.0.1:{port}/0", process
    process.kill()
    process.wait()


@pytest.mark.redis
async def test_readyz_is_503_when_the_broker_is_down(
    sqlite_url: str, tmp_path: Path, own_redis: tuple[str, subprocess.Popen[bytes]]
) -> None:
    url, redis_process = own_redis
    settings = Settings(
        database_url=sqlite_url,
        data_dir=tmp_path,
        broker_url=url,
        broker_prefix=unique("ready:") + ":",
        limits_enabled=False,
    )
    async with running(settings) as client:
        assert (await client.get("/readyz")).status_code == 200
        redis_process.kill()
        redis_process.wait()
        ready = await client.get("/readyz")
        assert ready.status_code == 503
        assert ready.json()["checks"]["database"] == "ok"
        assert ready.json()["checks"]["broker"].startswith("unavailable")
        assert (await client.get("/healthz")).status_code == 200


async def test_metrics_count_requests_by_route_messages_and_jobs(
    client: httpx.AsyncClient, db: Database
) -> None:
    org = await make_org(db)
    chat = await start_chat(client, org)
    await send(client, chat.auth, chat.issue_id, body="a second message")
    burst = [send(client, chat.auth, chat.issue_id, body=f"burst {n}") for n in range(4)]
    await asyncio.gather(*burst)
    await client.get(f"/api/v1/issues/{chat.issue_id}", headers=chat.auth)
    await client.get("/api/v1/issues/no-such-issue", headers=chat.auth)
    await client.get("/no/such/page")
    scraped = await client.get("/metrics")
    assert scraped.status_code == 200
    assert scraped.headers["content-type"].startswith("text/plain")
    found = samples(scraped.text)

    def requests(method: str, route: str, status: str) -> float:
        key = (("method", method), ("route", route), ("status", status))
        return found.get(("caseroom_http_requests_total", key), 0)

    assert requests("POST", "/api/v1/organizations/{org_slug}/conversations", "201") == 1
    assert requests("GET", "/api/v1/issues/{issue_id}", "200") == 1
    assert requests("GET", "/api/v1/issues/{issue_id}", "404") == 1
    assert requests("GET", "<unmatched>", "404") == 1
    assert found[("caseroom_messages_stored_total", ())] == 6
    # Each send is stored in a group (several at once when they arrive together).
    assert found[("caseroom_group_commit_size_sum", ())] == 5
    assert 1 <= found[("caseroom_group_commit_size_count", ())] <= 5
    assert ("caseroom_jobs", (("state", "pending"),)) in found
    assert found[("caseroom_broker_reconnects_total", ())] == 0
    assert found[("caseroom_websocket_sessions", ())] == 0


async def test_every_response_carries_a_request_id(client: httpx.AsyncClient) -> None:
    given = await client.get("/healthz", headers={"X-Request-ID": "trace-42"})
    assert given.headers["x-request-id"] == "trace-42"
    made = await client.get("/api/v1/me")
    assert made.status_code == 401
    assert len(made.headers["x-request-id"]) == 32
    junk = await client.get("/healthz", headers={"X-Request-ID": "bad id\twith spaces"})
    assert junk.headers["x-request-id"] != "bad id\twith spaces"


async def test_the_api_document_declares_its_version_and_how_to_authenticate(
    client: httpx.AsyncClient,
) -> None:
    document = (await client.get("/openapi.json")).json()
    assert document["info"]["version"] == metadata.version("caseroom")
    schemes = document["components"]["securitySchemes"]
    assert schemes["bearerToken"] == {**schemes["bearerToken"], "type": "http", "scheme": "bearer"}
    assert schemes["sessionCookie"]["in"] == "cookie"
    assert schemes["sessionCookie"]["name"] == "caseroom_session"
    either = [{"bearerToken": []}, {"sessionCookie": []}]
    assert document["paths"]["/api/v1/me"]["get"]["security"] == either
    assert "security" not in document["paths"]["/api/v1/auth/login"]["post"]


async def test_the_docs_page_loads_its_scripts_from_this_server(client: httpx.AsyncClient) -> None:
    html = (await client.get("/docs")).text
    assert "/api-docs/assets/swagger-ui-bundle.js" in html
    assert "cdn." not in html
    asset = await client.get("/api-docs/assets/swagger-ui-bundle.js")
    assert asset.status_code == 200
    assert len(asset.content) > 100_000
    assert (await client.get("/redoc")).status_code == 404


async def test_a_job_logs_with_the_id_of_the_request_that_caused_it(
    client: httpx.AsyncClient, db: Database
) -> None:
    saved = logging.getLogger().handlers[:], logging.getLogger().level
    stream = io.StringIO()
    configure_logging(Settings(log_format="json", log_level="INFO"), stream)
    try:
        org = await make_org(db)
        chat = await start_chat(client, org)
        ana = org.auth(org.ana)
        await client.post(f"/api/v1/issues/{chat.issue_id}/claim", headers=ana)
        traced = {**ana, "X-Request-ID": "trace-resolve-7"}
        resolved = await client.post(f"/api/v1/issues/{chat.issue_id}/resolve", headers=traced)
        assert resolved.status_code == 200
        await settle(client)
    finally:
        logging.getLogger().handlers, level = saved
        logging.getLogger().setLevel(level)
        structlog.reset_defaults()
    lines = [orjson.loads(line) for line in stream.getvalue().splitlines()]
    (done,) = [line for line in lines if line.get("job_kind") == "transcripts"]
    assert done["request_id"] == "trace-resolve-7" and done["event"].startswith("job transcripts")
