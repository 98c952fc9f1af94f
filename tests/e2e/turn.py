"""A real TURN server (coturn) on loopback for the video tests, with the TURN
REST shared secret (`use-auth-secret`) that caseroom mints credentials from."""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.components import free_port

GUARD = 15.0  # seconds; only keeps a broken start from hanging


@dataclass(frozen=True)
class Turn:
    port: int
    secret: str
    realm: str

    @property
    def url(self) -> str:
        return f"turn:127.0.0.1:{self.port}?transport=udp"


def require_turnserver() -> str:
    found = shutil.which("turnserver")
    if found is None:
        if __import__("os").environ.get("CI") == "true":
            raise RuntimeError("coturn's turnserver is not installed")
        pytest.skip("coturn's turnserver is not installed (apt-get install coturn)")
    return found


class TurnServer:
    """turnserver on a fixed loopback port: it can be stopped (the media path is
    cut) and started again on the same port."""

    def __init__(self, log: Path, secret: str) -> None:
        self.log = log
        self.turn = Turn(free_port(), secret, "caseroom.test")
        self.relay = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        port, secret = self.turn.port, self.turn.secret
        command = [
            require_turnserver(), "-n", "--no-cli", "--no-tls", "--no-dtls",
            "--listening-ip=127.0.0.1", "--relay-ip=127.0.0.1", f"--listening-port={port}",
            f"--min-port={self.relay}", f"--max-port={self.relay + 20}",
            "--use-auth-secret", f"--static-auth-secret={secret}", f"--realm={self.turn.realm}",
            "--allow-loopback-peers", "--fingerprint", "--no-software-attribute",
            f"--log-file={self.log}", "--simple-log", f"--db={self.log.parent / 'turndb'}",
        ]  # fmt: skip
        self.process = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + GUARD
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"turnserver exited: {self.log.read_text()[-2000:]}")
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
                return
            if time.monotonic() > deadline:
                raise RuntimeError("turnserver did not start")
            time.sleep(0.05)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.kill()  # at once: the relay's sockets go with it
        self.process.wait()


@contextlib.contextmanager
def running_turn(log: Path, secret: str = "turn-shared-secret") -> Iterator[TurnServer]:
    server = TurnServer(log, secret)
    server.start()
    try:
        yield server
    finally:
        server.stop()
