"""The load driver, run in a process of its own (`python -m bench.driver PLAN OUT`),
pinned to a core of its own where the machine has two or more.

It connects a Customer and an agent to every Issue of the plan, then sends
messages open-loop (each at its scheduled time, whatever happened to the ones
before) at each rate of the plan, from a randomly chosen member, over the
websocket or the REST API. Latency runs from a message's scheduled send time to
its receipt by the other side of the conversation. It measures its own CPU use
next to the server's, so a saturated driver shows as such."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import random
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import websockets
from websockets.asyncio.client import ClientConnection

from bench.procs import cpu_seconds, profile, raise_open_files_limit, rss_kb

try:
    import orjson

    loads = orjson.loads

    def dumps(value: Any) -> str:
        return orjson.dumps(value).decode()

except ImportError:  # pragma: no cover - orjson is a dependency, but stay usable
    loads = json.loads

    def dumps(value: Any) -> str:
        return json.dumps(value, separators=(",", ":"))


CUSTOMER, AGENT = 0, 1
TICK = 0.001  # the scheduler's sleep between bursts of due sends


@dataclass(slots=True)
class Sent:
    due: float
    side: int
    acked: float = 0.0
    received: float = 0.0


@dataclass(slots=True)
class Socket:
    target: int
    side: int
    issue_id: str
    token: str
    ws: ClientConnection


@dataclass
class Step:
    rate: int
    sent: dict[str, Sent] = field(default_factory=dict)
    duplicates: int = 0
    errors: int = 0
    first_error: str | None = None


class Driver:
    def __init__(self, plan: dict[str, Any]) -> None:
        self.plan = plan
        self.rng = random.Random(plan.get("seed", 1))
        self.salt = os.urandom(4).hex()
        self.pairs: list[tuple[Socket, Socket]] = []
        self.step = Step(0)
        self.readers: list[asyncio.Task[None]] = []
        self.posts: set[asyncio.Task[None]] = set()
        self.http: list[HttpPool] = [
            HttpPool(t["http_url"], plan.get("http_pool", 256)) for t in plan["targets"]
        ]

    # -- connecting --------------------------------------------------------------

    async def open_socket(self, target: int, side: int, issue_id: str, token: str) -> Socket:
        url = self.plan["targets"][target]["ws_url"]
        ws = await websockets.connect(url, max_size=None, ping_interval=None, open_timeout=60)
        await ws.send(dumps({"type": "hello", "token": token}))
        await _until(ws, "ready")
        await ws.send(dumps({"type": "subscribe", "issue_id": issue_id, "room": "public"}))
        await _until(ws, "subscribed")
        return Socket(target, side, issue_id, token, ws)

    async def connect_all(self) -> float:
        """A Customer and an agent per Issue; with two servers, on different ones."""
        targets = len(self.plan["targets"])
        gate = asyncio.Semaphore(self.plan.get("connect_concurrency", 100))
        started = time.perf_counter()

        async def pair(index: int, member: dict[str, str]) -> tuple[Socket, Socket]:
            async with gate:
                customer = await self.open_socket(
                    index % targets, CUSTOMER, member["issue_id"], member["customer"]
                )
                agent = await self.open_socket(
                    (index + 1) % targets, AGENT, member["issue_id"], member["agent"]
                )
                return customer, agent

        self.pairs = await asyncio.gather(*(pair(i, m) for i, m in enumerate(self.plan["members"])))
        for customer, agent in self.pairs:
            self.readers.append(asyncio.create_task(self.read(customer)))
            self.readers.append(asyncio.create_task(self.read(agent)))
        return time.perf_counter() - started

    # -- receiving ---------------------------------------------------------------

    async def read(self, sock: Socket) -> None:
        with contextlib.suppress(websockets.ConnectionClosed):
            async for raw in sock.ws:
                now = time.perf_counter()
                frame = loads(raw)
                kind = frame["type"]
                step = self.step
                if kind == "message.created":
                    body = frame["payload"]["message"]["body"]
                    sent = step.sent.get(body[: body.find(" ")])
                    if sent is not None and sent.side != sock.side:
                        if sent.received:
                            step.duplicates += 1
                        else:
                            sent.received = now
                elif kind == "ack":
                    sent = step.sent.get(frame["ref"])
                    if sent is not None and not sent.acked:
                        sent.acked = now
                elif kind == "error":
                    step.errors += 1
                    step.first_error = step.first_error or str(frame.get("problem"))[:300]

    # -- sending -----------------------------------------------------------------

    async def fire(self, name: str, due: float) -> None:
        customer, agent = self.pairs[self.rng.randrange(len(self.pairs))]
        sock = customer if self.rng.random() < 0.5 else agent
        body = f"{name} " + "x" * self.plan.get("body_bytes", 80)
        self.step.sent[name] = Sent(due, sock.side)
        key = f"{name}-{self.salt}"
        if self.plan["send"] == "rest":
            task = asyncio.create_task(self.post(self.http[sock.target], sock, name, body, key))
            self.posts.add(task)
            task.add_done_callback(self.posts.discard)
            return
        frame = {"type": "send", "ref": name, "issue_id": sock.issue_id, "room": "public"}
        frame |= {"body": body, "idempotency_key": key}
        await sock.ws.send(dumps(frame))

    async def post(self, pool: HttpPool, sock: Socket, name: str, body: str, key: str) -> None:
        path = f"/api/v1/issues/{sock.issue_id}/rooms/public/messages"
        payload = dumps({"body": body, "idempotency_key": key}).encode()
        status = await pool.post(path, sock.token, payload)
        sent = self.step.sent.get(name)
        if status == 201 and sent is not None:
            sent.acked = time.perf_counter()
        else:
            self.step.errors += 1
            self.step.first_error = self.step.first_error or f"HTTP {status}"

    async def run_step(self, number: int, rate: int) -> dict[str, Any]:
        self.step = Step(rate)
        seconds = self.plan["step_seconds"]
        count = max(1, int(rate * seconds))
        pids = self.plan.get("server_pids", [])
        server_cpu = sum(cpu_seconds(p) for p in pids)
        driver_cpu = time.process_time()
        if profile_dir := self.plan.get("profile_dir"):
            for pid in pids:
                profile(pid, seconds, Path(profile_dir) / f"{self.plan['name']}-{rate}-{pid}.txt")
        start = time.perf_counter()
        for index in range(count):
            due = start + index / rate
            delay = due - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(max(delay, TICK))
            await self.fire(f"s{number}-{index}", due)
        await self.drain(count)
        end = time.perf_counter()
        server_cpu = sum(cpu_seconds(p) for p in pids) - server_cpu
        driver_cpu = time.process_time() - driver_cpu
        return self.summary(start, end, server_cpu, driver_cpu)

    async def drain(self, count: int) -> None:
        """Wait until every message is acknowledged and received, or until nothing
        has moved for `drain_seconds` (what is missing then counts as lost)."""
        idle_limit = self.plan["drain_seconds"]
        last_progress, last_state = time.perf_counter(), (-1, -1)
        while True:
            sent = self.step.sent.values()
            state = (sum(1 for s in sent if s.acked), sum(1 for s in sent if s.received))
            if state == (count, count):
                return
            now = time.perf_counter()
            if state != last_state:
                last_progress, last_state = now, state
            elif now - last_progress > idle_limit:
                return
            await asyncio.sleep(0.05)

    def summary(self, start: float, end: float, server_cpu: float, driver_cpu: float) -> dict:
        step = self.step
        sent = list(step.sent.values())
        acked = [s for s in sent if s.acked]
        latencies = sorted(s.received - s.due for s in sent if s.received)
        last_ack = max((s.acked for s in acked), default=start)
        span = max(last_ack - start, self.plan["step_seconds"])
        return {
            "rate": step.rate,
            "sent": len(sent),
            "acked": len(acked),
            "durable_per_s": len(acked) / span,
            "received": len(latencies),
            "lost": sum(1 for s in acked if not s.received),
            "unacked": len(sent) - len(acked),
            "duplicates": step.duplicates,
            "errors": step.errors,
            "first_error": step.first_error,
            "p50_ms": _percentile(latencies, 0.50) * 1000,
            "p99_ms": _percentile(latencies, 0.99) * 1000,
            "p999_ms": _percentile(latencies, 0.999) * 1000,
            "max_ms": (latencies[-1] if latencies else 0.0) * 1000,
            "server_cpu_ms_per_msg": server_cpu * 1000 / max(1, len(acked)),
            "server_cpu_pct": 100 * server_cpu / (end - start),
            "driver_cpu_pct": 100 * driver_cpu / (end - start),
        }

    async def load(self) -> dict[str, Any]:
        connect_seconds = await self.connect_all()
        steps = []
        for number, rate in enumerate(self.plan["rates"]):
            result = await self.run_step(number, rate)
            steps.append(result)
            print(_line(self.plan["name"], result), file=sys.stderr, flush=True)
            if result["durable_per_s"] < 0.9 * rate:
                break  # saturated: higher rates would only say so again
            await asyncio.sleep(self.plan.get("pause_seconds", 0.5))
        await self.close()
        return {"connections": 2 * len(self.pairs), "connect_s": connect_seconds, "steps": steps}

    async def idle(self) -> dict[str, Any]:
        """Open idle, subscribed connections in steps; the server's RSS at each."""
        pid = self.plan["server_pids"][0]
        members = self.plan["members"]
        gate = asyncio.Semaphore(self.plan.get("connect_concurrency", 100))
        sockets: list[Socket] = []

        async def one(index: int) -> Socket:
            member = members[index % len(members)]
            async with gate:
                return await self.open_socket(0, CUSTOMER, member["issue_id"], member["customer"])

        await asyncio.sleep(1)
        base = rss_kb(pid)
        levels = []
        for level in self.plan["idle_levels"]:
            started = time.perf_counter()
            sockets += await asyncio.gather(*(one(i) for i in range(len(sockets), level)))
            await asyncio.sleep(self.plan.get("settle_seconds", 1.0))
            rss = rss_kb(pid)
            levels.append(
                {
                    "connections": len(sockets),
                    "rss_kb": rss,
                    "kb_per_connection": (rss - base) / len(sockets),
                    "open_s": time.perf_counter() - started,
                }
            )
            print(f"idle: {levels[-1]}", file=sys.stderr, flush=True)
        await asyncio.gather(*(s.ws.close() for s in sockets), return_exceptions=True)
        return {"base_rss_kb": base, "levels": levels}

    async def close(self) -> None:
        for reader in self.readers:
            reader.cancel()
        socks = [s for pair in self.pairs for s in pair]
        await asyncio.gather(*(s.ws.close() for s in socks), return_exceptions=True)
        for pool in self.http:
            pool.close()


class HttpPool:
    """A small keep-alive HTTP/1.1 client: cheap enough that the driver, not the
    client library, is what its CPU figure measures."""

    def __init__(self, url: str, size: int) -> None:
        parts = urlsplit(url)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []
        self.gate = asyncio.Semaphore(size)

    async def post(self, path: str, token: str, body: bytes) -> int:
        async with self.gate:
            if self.idle:
                reader, writer = self.idle.pop()
            else:
                reader, writer = await asyncio.open_connection(self.host, self.port)
            head = (
                f"POST {path} HTTP/1.1\r\nHost: {self.host}\r\n"
                f"Authorization: Bearer {token}\r\nContent-Type: application/json\r\n"
                f"Content-Length: {len(body)}\r\n\r\n"
            )
            writer.write(head.encode() + body)
            status_line = await reader.readline()
            length = 0
            while (line := await reader.readline()) not in (b"\r\n", b""):
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value)
            await reader.readexactly(length)
            self.idle.append((reader, writer))
            return int(status_line.split()[1])

    def close(self) -> None:
        for _, writer in self.idle:
            writer.close()


async def _until(ws: ClientConnection, frame_type: str) -> dict[str, Any]:
    while True:
        frame = loads(await asyncio.wait_for(ws.recv(), 60))
        if frame["type"] == frame_type:
            return dict(frame)
        if frame["type"] == "error":
            raise RuntimeError(f"server said: {frame}")


def _percentile(ordered: list[float], fraction: float) -> float:
    if not ordered:
        return 0.0
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def _line(name: str, r: dict[str, Any]) -> str:
    return (
        f"{name}: {r['rate']}/s -> {r['durable_per_s']:.0f}/s durable, p50 {r['p50_ms']:.1f} "
        f"p99 {r['p99_ms']:.1f} ms, lost {r['lost']}, server {r['server_cpu_ms_per_msg']:.3f} "
        f"ms/msg, driver CPU {r['driver_cpu_pct']:.0f}%"
    )


async def _main(plan: dict[str, Any]) -> dict[str, Any]:
    driver = Driver(plan)
    return await (driver.idle() if plan["mode"] == "idle" else driver.load())


def main() -> None:
    plan_path, out_path = sys.argv[1], sys.argv[2]
    with open(plan_path) as f:
        plan = json.load(f)
    raise_open_files_limit()
    if plan.get("cpus"):
        with contextlib.suppress(OSError):
            os.sched_setaffinity(0, set(plan["cpus"]))
    try:
        import uvloop

        result = uvloop.run(_main(plan))
    except ImportError:  # pragma: no cover
        result = asyncio.run(_main(plan))
    result["driver_cpus"] = sorted(os.sched_getaffinity(0))
    with open(out_path, "w") as f:
        json.dump(result, f)


if __name__ == "__main__":
    main()
