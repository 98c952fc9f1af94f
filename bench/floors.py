"""The two floors caseroom is compared with, written here so that they run on the
same machine, stack (uvicorn, the same websocket implementation) and protocol:

- `relay`: a minimal websocket relay. No authentication, no persistence: a sent
  message gets the room's next number in memory and goes straight to the room's
  subscribers.
- `durable`: the same relay, but each message is first stored in SQLite (WAL)
  with a per-room sequence number, in its own transaction, before it is forwarded
  and acknowledged.

Run one with `python -m bench.floors relay|durable --port N [--db PATH]`.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sqlite3
import time
import uuid
from collections import defaultdict
from collections.abc import Awaitable, Callable
from typing import Any

import uvicorn

Scope = dict[str, Any]
Message = dict[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


class Store:
    """Where message numbers come from: memory for the relay, SQLite for the other."""

    def __init__(self) -> None:
        self._seq: dict[str, int] = defaultdict(int)

    def append(self, room: str, body: str, key: str | None) -> int:
        self._seq[room] += 1
        return self._seq[room]


class SQLiteStore(Store):
    def __init__(self, path: str) -> None:
        super().__init__()
        self._db = sqlite3.connect(path, isolation_level=None)
        for pragma in ("journal_mode=WAL", "synchronous=NORMAL"):
            self._db.execute(f"PRAGMA {pragma}")
        self._db.execute("CREATE TABLE IF NOT EXISTS rooms (id TEXT PRIMARY KEY, seq INTEGER)")
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS messages (id TEXT PRIMARY KEY, room TEXT, seq INTEGER,"
            " body TEXT, idempotency_key TEXT, created_at REAL, UNIQUE (room, seq))"
        )

    def append(self, room: str, body: str, key: str | None) -> int:
        db = self._db
        db.execute("BEGIN IMMEDIATE")
        try:
            db.execute("INSERT OR IGNORE INTO rooms VALUES (?, 0)", (room,))
            seq = db.execute(
                "UPDATE rooms SET seq = seq + 1 WHERE id = ? RETURNING seq", (room,)
            ).fetchone()[0]
            db.execute(
                "INSERT INTO messages VALUES (?, ?, ?, ?, ?, ?)",
                (uuid.uuid4().hex, room, seq, body, key, time.time()),
            )
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        return int(seq)


class Relay:
    def __init__(self, store: Store) -> None:
        self._store = store
        self._rooms: dict[str, set[Send]] = defaultdict(set)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            while (await receive())["type"] != "lifespan.shutdown":
                await send({"type": "lifespan.startup.complete"})
            await send({"type": "lifespan.shutdown.complete"})
        elif scope["type"] == "http":
            await send({"type": "http.response.start", "status": 200, "headers": []})
            await send({"type": "http.response.body", "body": b"ok"})
        elif scope["type"] == "websocket":
            await self._session(receive, send)

    async def _session(self, receive: Receive, send: Send) -> None:
        joined: set[str] = set()
        try:
            while True:
                event = await receive()
                if event["type"] == "websocket.connect":
                    await send({"type": "websocket.accept"})
                elif event["type"] == "websocket.disconnect":
                    return
                elif event.get("text"):
                    await self._frame(json.loads(event["text"]), send, joined)
        finally:
            for room in joined:
                self._rooms[room].discard(send)

    async def _frame(self, frame: dict[str, Any], send: Send, joined: set[str]) -> None:
        kind = frame.get("type")
        if kind == "hello":
            await _text(send, {"type": "ready", "principal": {"id": "anyone"}})
        elif kind == "subscribe":
            room = f"{frame['issue_id']}:{frame['room']}"
            self._rooms[room].add(send)
            joined.add(room)
            await _text(send, {"type": "subscribed", "ref": frame.get("ref"), "last_seq": 0})
        elif kind == "send":
            room = f"{frame['issue_id']}:{frame['room']}"
            seq = self._store.append(room, frame["body"], frame.get("idempotency_key"))
            message = {"issue_id": frame["issue_id"], "room": frame["room"], "seq": seq}
            message["body"] = frame["body"]
            event = {"type": "message.created", "issue_id": frame["issue_id"]}
            event |= {"room": frame["room"], "seq": seq, "payload": {"message": message}}
            text = json.dumps(event, separators=(",", ":"))
            for subscriber in list(self._rooms[room]):
                with contextlib.suppress(Exception):  # a subscriber that just left
                    await subscriber({"type": "websocket.send", "text": text})
            await _text(send, {"type": "ack", "ref": frame.get("ref"), "message": message})


async def _text(send: Send, frame: dict[str, Any]) -> None:
    await send({"type": "websocket.send", "text": json.dumps(frame, separators=(",", ":"))})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("kind", choices=["relay", "durable"])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--db", default="floor.db")
    args = parser.parse_args()
    store = SQLiteStore(args.db) if args.kind == "durable" else Store()
    uvicorn.run(Relay(store), host="127.0.0.1", port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
