"""A small client of the event stream for tests: connect, subscribe, collect."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import websockets

TIMEOUT = 15.0  # a guard against hanging, never the thing a test asserts


class StreamClient:
    def __init__(self, connection: websockets.ClientConnection) -> None:
        self.connection = connection
        self.frames: list[dict[str, Any]] = []  # every frame received, in order

    @classmethod
    async def open(cls, ws_url: str, token: str, **options: Any) -> StreamClient:
        connection = await websockets.connect(ws_url, **options)
        client = cls(connection)
        await client.send({"type": "hello", "token": token})
        await client.expect("ready")
        return client

    async def send(self, frame: dict[str, Any]) -> None:
        await self.connection.send(json.dumps(frame))

    async def receive(self) -> dict[str, Any]:
        raw = await asyncio.wait_for(self.connection.recv(), TIMEOUT)
        frame: dict[str, Any] = json.loads(raw)
        self.frames.append(frame)
        return frame

    async def expect(self, frame_type: str) -> dict[str, Any]:
        """The next frame of this type (pings and other types in between are kept)."""
        while True:
            frame = await self.receive()
            if frame["type"] == frame_type:
                return frame

    async def subscribe(
        self, issue_id: str, room: str, after: int | None = None
    ) -> list[dict[str, Any]]:
        """Subscribe and return the messages replayed before `subscribed`."""
        frame: dict[str, Any] = {
            "type": "subscribe",
            "issue_id": issue_id,
            "room": room,
            "ref": "sub",
        }
        if after is not None:
            frame["after"] = after
        await self.send(frame)
        replayed = []
        while True:
            received = await self.receive()
            if received["type"] == "subscribed":
                return replayed
            if received["type"] == "error":
                raise StreamError(received["problem"])
            if received["type"] == "message.created" and received["issue_id"] == issue_id:
                replayed.append(received["payload"]["message"])

    async def messages(self, count: int) -> list[dict[str, Any]]:
        got = []
        while len(got) < count:
            frame = await self.receive()
            if frame["type"] == "message.created":
                got.append(frame["payload"]["message"])
        return got

    async def close(self) -> None:
        await self.connection.close()


class StreamError(Exception):
    def __init__(self, problem: dict[str, Any]) -> None:
        super().__init__(problem.get("detail"))
        self.problem = problem


class StalledReader:
    """A stream client that reads nothing until told to, over a socket with a tiny
    receive buffer: the server sees a consumer that has stopped keeping up."""

    def __init__(self, ws_url: str) -> None:
        import socket

        from websockets.client import ClientProtocol
        from websockets.uri import parse_uri

        uri = parse_uri(ws_url)
        self.protocol = ClientProtocol(uri)
        self.socket = socket.socket()
        self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        self.socket.settimeout(TIMEOUT)
        self.socket.connect((uri.host, uri.port))
        self.protocol.send_request(self.protocol.connect())
        self._flush()
        while not self.protocol.events_received() and self.protocol.handshake_exc is None:
            self._read()
        if self.protocol.handshake_exc is not None:
            raise self.protocol.handshake_exc

    def send(self, frame: dict[str, Any]) -> None:
        self.protocol.send_text(json.dumps(frame).encode())
        self._flush()

    def read_until_closed(self, limit: int) -> tuple[int, Any]:
        """Read everything; return (message frames seen, the close frame)."""
        seen = 0
        while self.protocol.close_rcvd is None and seen < limit:
            self._read()
            for event in self.protocol.events_received():
                if getattr(event, "data", b"").startswith(b'{"type":"message.created"'):
                    seen += 1
        self.socket.close()
        return seen, self.protocol.close_rcvd

    def _read(self) -> None:
        data = self.socket.recv(65536)
        if data:
            self.protocol.receive_data(data)
        else:
            self.protocol.receive_eof()

    def _flush(self) -> None:
        for chunk in self.protocol.data_to_send():
            if chunk:
                self.socket.sendall(chunk)
