"""`python -m bench.rest_cpu [SENDS] [sqlite|postgres]`: the REST send's own CPU
cost, in one process with no HTTP client: SENDS `POST .../messages` requests
(Customers and agents of 20 Issues in turn, 50 at a time) through the whole
ASGI application (middleware, abuse limits, authentication, validation, the
send, the response) on a fresh SQLite file or PostgreSQL database, timed with
process CPU time after a warm-up. Like `bench.send_cpu`, it varies far less with
the machine's load than `make bench`."""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import orjson
from starlette.types import ASGIApp

from bench.scratch import scratch_database
from bench.seed import conversations_under_load
from caseroom.app import create_app
from caseroom.config import Settings

BATCH = 50
ISSUES = 20


async def measure(sends: int, kind: str = "sqlite") -> float:
    """CPU milliseconds per REST send."""
    with tempfile.TemporaryDirectory() as folder:
        async with scratch_database(kind) as url:
            members = await conversations_under_load(url, ISSUES, 5)
            # Limits on, as served, but never in the way of one client's burst.
            settings = Settings(
                database_url=url,
                data_dir=Path(folder) / "data",
                limit_per_token="100000000/minute",
            )
            app = create_app(settings)
            async with app.router.lifespan_context(app):

                async def one(n: int) -> None:
                    member = members[n % ISSUES]
                    token = member["customer"] if n % 2 else member["agent"]
                    body = orjson.dumps({"body": "x" * 80, "idempotency_key": uuid.uuid4().hex})
                    path = f"/api/v1/issues/{member['issue_id']}/rooms/public/messages"
                    status = await _post(app, path, token, body)
                    if status != 201:
                        raise RuntimeError(f"HTTP {status}")

                await asyncio.gather(*(one(n) for n in range(4 * BATCH)))  # warm up
                began = time.process_time()
                for first in range(0, sends, BATCH):
                    await asyncio.gather(*(one(n) for n in range(first, first + BATCH)))
                spent = time.process_time() - began
            return spent / sends * 1000


async def _post(app: ASGIApp, path: str, token: str, body: bytes) -> int:
    """One request straight into the ASGI application, as a server would make it."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [
            (b"host", b"bench"),
            (b"authorization", f"Bearer {token}".encode()),
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
        ],
        "client": ("127.0.0.1", 50000),
        "server": ("bench", 80),
    }
    sent = False
    status = 0

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if sent:
            await asyncio.Event().wait()  # the client never disconnects
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    await app(scope, receive, send)
    return status


def main() -> None:
    sends = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    kind = sys.argv[2] if len(sys.argv) > 2 else "sqlite"
    cpu = asyncio.run(measure(sends, kind))
    print(
        f"REST send, in process into the ASGI application, {kind}: {cpu:.3f} ms CPU "
        f"per message ({sends} sends)"
    )


if __name__ == "__main__":
    main()
