"""A running server counts its websocket sessions and writes JSON log lines that
carry the request id the caller sent."""

from __future__ import annotations

import asyncio

import httpx
import orjson
from prometheus_client.parser import text_string_to_metric_families

from caseroom.storage.uow import Database
from tests.builders import make_org
from tests.e2e.conftest import Server
from tests.e2e.wsclient import StreamClient


async def open_sessions(http: httpx.AsyncClient) -> float:
    scraped = (await http.get("/metrics")).text
    for family in text_string_to_metric_families(scraped):
        if family.name == "caseroom_websocket_sessions":
            return float(family.samples[0].value)
    raise AssertionError("no caseroom_websocket_sessions metric")


async def settled_sessions(http: httpx.AsyncClient, expected: float) -> float:
    """The gauge once it reaches `expected` (a close is counted when the server
    has finished the session), or what it shows after a bounded wait."""
    for _ in range(100):
        found = await open_sessions(http)
        if found == expected:
            return found
        await asyncio.sleep(0.05)
    return found


async def test_websocket_sessions_are_counted_while_open(
    server: Server, server_db: Database, http: httpx.AsyncClient
) -> None:
    org = await make_org(server_db)
    before = await open_sessions(http)
    first = await StreamClient.open(server.ws_url, org.tokens[org.ana.id])
    second = await StreamClient.open(server.ws_url, org.tokens[org.ben.id])
    assert await settled_sessions(http, before + 2) == before + 2
    await first.close()
    assert await settled_sessions(http, before + 1) == before + 1
    await second.close()
    assert await settled_sessions(http, before) == before


async def test_log_lines_are_json_with_the_callers_request_id(
    server: Server, http: httpx.AsyncClient
) -> None:
    answer = await http.get("/api/v1/me", headers={"X-Request-ID": "support-ticket-981"})
    assert answer.headers["x-request-id"] == "support-ticket-981"
    for _ in range(100):
        # Log lines are JSON; what the server prints for a person (the first-run
        # code) is not a log line.
        text = server.log.read_text().splitlines()
        lines = [orjson.loads(line) for line in text if line.startswith("{")]
        ours = [line for line in lines if line.get("request_id") == "support-ticket-981"]
        if ours:
            break
        await asyncio.sleep(0.05)
    (access,) = ours
    assert access["event"] == "request"
    assert access["route"] == "/api/v1/me"
    assert access["status"] == 401
