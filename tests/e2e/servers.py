"""Real `caseroom serve` processes and websocket clients for end-to-end tests."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import websockets
from websockets.asyncio.client import ClientConnection

from tests.components import free_port, require_redis, unique

GUARD = 20.0  # seconds; only keeps a broken test from hanging


@dataclass
class Server:
    """One `caseroom serve` subprocess on a free port."""

    env: dict[str, str]
    log_path: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/api/v1/stream"

    def start(self) -> Server:
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "caseroom.cli", "serve", "--port", str(self.port)],
            env={**os.environ, **self.env},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        deadline = time.monotonic() + GUARD
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited early:\n{self.log()}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return self
            time.sleep(0.05)
        raise RuntimeError(f"server did not come up:\n{self.log()}")

    def kill(self) -> None:
        """SIGKILL: no shutdown, no goodbye to clients or the database."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait()

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-4000:]


def scale_out_env(postgres_url: str, tmp_path: Path, **settings: str) -> dict[str, str]:
    """The environment of servers that share one PostgreSQL database and one Redis,
    on broker channels of their own (so concurrent test runs never cross), with
    `settings` as CASEROOM_<NAME>. The abuse limits are off unless turned on: the
    clients here reconnect after faults as fast as they can, and the limits have
    tests of their own (test_limits_across_processes.py)."""
    env = {
        "CASEROOM_DATABASE_URL": postgres_url,
        "CASEROOM_BROKER_URL": require_redis(),
        "CASEROOM_BROKER_PREFIX": unique("caseroom-e2e:") + ":",
        "CASEROOM_DATA_DIR": str(tmp_path / "data"),
        "CASEROOM_LIMITS_ENABLED": "false",
    }
    return env | {f"CASEROOM_{name.upper()}": value for name, value in settings.items()}


@contextlib.contextmanager
def running_pair(env: dict[str, str], tmp_path: Path) -> Iterator[tuple[Server, Server]]:
    """Two servers, `a` and `b`, on the same environment."""
    with running([Server(env, tmp_path / f"server-{name}.log") for name in "ab"]) as (a, b):
        yield a, b


@contextlib.contextmanager
def running(servers: list[Server]) -> Iterator[list[Server]]:
    try:
        yield [s.start() for s in servers]
    finally:
        for server in servers:
            server.stop()


class StreamClient:
    """A websocket client of /api/v1/stream that keeps what it receives.

    `seen` holds the message.created events per (issue_id, room) in arrival order,
    so a test can check that nothing was lost or doubled."""

    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws
        self.seen: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self.frames: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._acks: dict[str, asyncio.Future[dict[str, Any]]] = {}
        self._reader = asyncio.create_task(self._read())

    @classmethod
    async def connect(cls, server: Server, token: str) -> StreamClient:
        ws = await websockets.connect(server.ws_url, open_timeout=GUARD)
        await ws.send(json.dumps({"type": "hello", "token": token}))
        client = cls(ws)
        ready = await client.next_frame("ready")
        assert ready["principal"]["id"], ready
        return client

    async def _read(self) -> None:
        with contextlib.suppress(websockets.ConnectionClosed):
            async for raw in self.ws:
                frame = json.loads(raw)
                if frame["type"] == "message.created":
                    key = (frame["issue_id"], frame["room"])
                    self.seen.setdefault(key, []).append(frame["payload"]["message"])
                elif frame["type"] in ("ack", "error") and frame.get("ref") in self._acks:
                    self._acks.pop(frame["ref"]).set_result(frame)
                    continue
                self.frames.put_nowait(frame)
        for waiting in self._acks.values():  # the connection is gone: no answer will come
            if not waiting.done():
                waiting.set_exception(ConnectionError("the stream connection closed"))

    async def next_frame(self, frame_type: str) -> dict[str, Any]:
        async def wait() -> dict[str, Any]:
            while True:
                frame = await self.frames.get()
                if frame["type"] == frame_type:
                    return frame

        return await asyncio.wait_for(wait(), GUARD)

    async def subscribe(self, issue_id: str, room: str = "public", after: int | None = 0) -> int:
        await self.ws.send(
            json.dumps({"type": "subscribe", "issue_id": issue_id, "room": room, "after": after})
        )
        return int((await self.next_frame("subscribed"))["last_seq"])

    async def send(
        self, issue_id: str, body: str, key: str | None = None, room: str = "public"
    ) -> dict[str, Any]:
        """Send a message and wait for its ack (raises if the connection drops first)."""
        ref = uuid.uuid4().hex
        self._acks[ref] = asyncio.get_running_loop().create_future()
        frame = {
            "type": "send",
            "ref": ref,
            "issue_id": issue_id,
            "room": room,
            "body": body,
            "idempotency_key": key or uuid.uuid4().hex,
        }
        await self.ws.send(json.dumps(frame))
        answer = await asyncio.wait_for(self._acks[ref], GUARD)
        assert answer["type"] == "ack", answer
        return dict(answer["message"])

    def bodies(self, issue_id: str, room: str = "public") -> list[str]:
        return [m["body"] for m in self.seen.get((issue_id, room), [])]

    def last_seq(self, issue_id: str, room: str = "public") -> int:
        got = self.seen.get((issue_id, room))
        return int(got[-1]["seq"]) if got else 0

    async def wait_for_bodies(self, issue_id: str, wanted: set[str]) -> None:
        async def wait() -> None:
            while not wanted <= set(self.bodies(issue_id)):
                await self.frames.get()

        await asyncio.wait_for(wait(), GUARD)

    async def close(self) -> None:
        with contextlib.suppress(Exception):
            await self.ws.close()
        self._reader.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._reader
