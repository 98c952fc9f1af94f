"""Read paths under volume: a page of history from a long room, and the inbox
queues of an agent in an organization with many Issues. Timed end to end over
HTTP, one request at a time."""

from __future__ import annotations

import time
from typing import Any

import httpx

from bench.seed import BigOrg

WARM_UP = 10


async def _timed(http: httpx.AsyncClient, path: str, count: int, token: str) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {token}"}
    for _ in range(WARM_UP):
        (await http.get(path, headers=headers)).raise_for_status()
    times = []
    for _ in range(count):
        started = time.perf_counter()
        response = await http.get(path, headers=headers)
        times.append(time.perf_counter() - started)
        response.raise_for_status()
    items = len(response.json()["items"])
    times.sort()
    return {
        "path": path,
        "items": items,
        "p50_ms": times[len(times) // 2] * 1000,
        "p99_ms": times[min(len(times) - 1, int(len(times) * 0.99))] * 1000,
    }


async def measure(url: str, big: BigOrg, count: int) -> dict[str, Any]:
    room = f"/api/v1/issues/{big.history_issue_id}/rooms/public/messages"
    middle = big.history_messages // 2
    async with httpx.AsyncClient(base_url=url, timeout=30) as http:
        return {
            "issues_in_org": big.issues,
            "messages_in_room": big.history_messages,
            "history_newest_page": await _timed(http, room, count, big.agent_token),
            "history_middle_page": await _timed(
                http, f"{room}?before={middle}", count, big.agent_token
            ),
            "inbox_unclaimed": await _timed(
                http, "/api/v1/issues?queue=unclaimed", count, big.agent_token
            ),
            "inbox_mine": await _timed(http, "/api/v1/issues?queue=mine", count, big.agent_token),
            "transcript": None,  # generating transcripts is not part of this version yet
        }
