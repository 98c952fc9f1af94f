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


@contextlib.contextmanager
def running_turn(log: Path, secret: str = "turn-shared-secret") -> Iterator[Turn]:
    port = free_port()
    relay = free_port()
    command = [
        require_turnserver(), "-n", "--no-cli", "--no-tls", "--no-dtls",
        "--listening-ip=127.0.0.1", "--relay-ip=127.0.0.1", f"--listening-port={port}",
        f"--min-port={relay}", f"--max-port={relay + 20}",
        "--use-auth-secret", f"--static-auth-secret={secret}", "--realm=caseroom.test",
        "--allow-loopback-peers", "--fingerprint", "--no-software-attribute",
        f"--log-file={log}", "--simple-log", f"--db={log.parent / 'turndb'}",
    ]  # fmt: skip
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + GUARD
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"turnserver exited: {log.read_text()[-2000:]}")
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
                break
            if time.monotonic() > deadline:
                raise RuntimeError("turnserver did not start")
            time.sleep(0.05)
        yield Turn(port, secret, "caseroom.test")
    finally:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
