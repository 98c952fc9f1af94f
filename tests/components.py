"""Reaching the real components the tests use. Outside CI a missing component
skips its tests with the reason; under CI=true it fails them."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator

import pytest

POSTGRES_URL = os.environ.get("CASEROOM_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432")
REDIS_URL = os.environ.get("CASEROOM_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
CHROMIUM = os.environ.get("CASEROOM_TEST_CHROMIUM", "/usr/bin/chromium")
IN_CI = os.environ.get("CI", "").lower() == "true"


def missing(component: str, reason: str) -> None:
    """Fail under CI, skip elsewhere."""
    message = f"{component} is not available: {reason}"
    if IN_CI:
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


def port_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def require_postgres() -> str:
    if not port_open("127.0.0.1", 5432):
        missing("PostgreSQL", "nothing listens on 127.0.0.1:5432")
    return POSTGRES_URL


def require_redis() -> str:
    if not port_open("127.0.0.1", 6379):
        missing("Redis", "nothing listens on 127.0.0.1:6379")
    return REDIS_URL


def require_chromium() -> str:
    if not (os.path.exists(CHROMIUM) or shutil.which("chromium")):
        missing("Chromium", f"{CHROMIUM} not found (apt-get install chromium)")
    return CHROMIUM


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def unique(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex[:10]}"


REDIS_STOP = ["redis-cli", "-h", "127.0.0.1", "-p", "6379", "shutdown", "nosave"]
REDIS_START = [
    "redis-server",
    "--daemonize", "yes",
    "--bind", "127.0.0.1",
    "--port", "6379",
    "--save", "",
    "--appendonly", "no",
]  # fmt: skip


def start_redis() -> None:
    """Start the local Redis if it is down, and wait until it answers."""
    if not port_open("127.0.0.1", 6379):
        subprocess.run(REDIS_START, check=True, capture_output=True)
    for _ in range(100):
        if port_open("127.0.0.1", 6379):
            return
        time.sleep(0.05)
    raise RuntimeError("Redis did not come back on 127.0.0.1:6379")


@contextlib.contextmanager
def redis_outage() -> Iterator[None]:
    """Stop the local Redis for the duration of the block; it is started again
    whatever happens inside."""
    try:
        subprocess.run(REDIS_STOP, check=False, capture_output=True)
        for _ in range(100):
            if not port_open("127.0.0.1", 6379):
                break
            time.sleep(0.05)
        else:
            raise RuntimeError("Redis did not stop (redis-cli shutdown nosave)")
        yield
    finally:
        start_redis()
