"""Reaching the real components the tests use. Outside CI a missing component
skips its tests with the reason; under CI=true it fails them."""

from __future__ import annotations

import os
import shutil
import socket
import uuid

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
