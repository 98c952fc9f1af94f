"""The container's entry point, run on this host: it migrates, then serves, and
the server it becomes stops on SIGTERM. And the wheel the image installs holds
everything the server needs."""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import httpx

from tests.components import free_port

ROOT = Path(__file__).resolve().parents[2]
ENTRYPOINT = ROOT / "deploy" / "entrypoint.sh"


def host_env(tmp_path: Path, **settings: str) -> dict[str, str]:
    bin_dir = str(Path(sys.executable).parent)  # where `caseroom` is installed
    env = {**os.environ, "PATH": bin_dir + os.pathsep + os.environ["PATH"]}
    env.update(
        CASEROOM_DATABASE_URL=f"sqlite:///{tmp_path / 'caseroom.db'}",
        CASEROOM_DATA_DIR=str(tmp_path / "data"),
        CASEROOM_JOB_POLL_SECONDS="3600",
    )
    env.update({f"CASEROOM_{k.upper()}": v for k, v in settings.items()})
    return env


def wait_ready(url: str, process: subprocess.Popen[bytes]) -> httpx.Response:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, "the server exited"
        try:
            return httpx.get(url + "/readyz", timeout=2)
        except httpx.TransportError:
            time.sleep(0.2)
    raise AssertionError("the server did not answer")


def test_serve_migrates_a_new_database_then_serves_until_sigterm(tmp_path: Path) -> None:
    port = free_port()
    log = (tmp_path / "out.log").open("wb")
    process = subprocess.Popen(
        [str(ENTRYPOINT), "serve", "--port", str(port)],
        env=host_env(tmp_path),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        ready = wait_ready(f"http://127.0.0.1:{port}", process)
        assert ready.status_code == 200, ready.text  # 503 unless migrated
        process.send_signal(signal.SIGTERM)
        # uvicorn shuts down cleanly, then re-raises the signal it caught.
        assert process.wait(timeout=30) in (0, -signal.SIGTERM)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    output = (tmp_path / "out.log").read_text()
    assert "database is up to date" in output
    assert "Application shutdown complete" in output
    # The server's own lines are JSON with a level.
    assert '"level":"info"' in output


def test_serve_only_does_not_migrate(tmp_path: Path) -> None:
    # On a database nobody migrated the server refuses to start (it reads the
    # organizations at startup), and the schema is still untouched.
    done = subprocess.run(
        [str(ENTRYPOINT), "serve-only", "--port", str(free_port())],
        env=host_env(tmp_path),
        capture_output=True,
        timeout=120,
    )
    assert done.returncode != 0
    with sqlite3.connect(tmp_path / "caseroom.db") as db:
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master")}
    assert "alembic_version" not in tables


def test_other_words_are_caseroom_commands(tmp_path: Path) -> None:
    done = subprocess.run(
        [str(ENTRYPOINT), "migrate"], env=host_env(tmp_path), capture_output=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert b"database is up to date" in done.stdout
    unknown = subprocess.run(
        [str(ENTRYPOINT), "no-such-command"], env=host_env(tmp_path), capture_output=True
    )
    assert unknown.returncode != 0


def test_the_wheel_carries_the_license_migrations_and_pages(tmp_path: Path) -> None:
    # Built from a copy, as the image's build stage does: setuptools leaves a
    # build/ folder beside the sources.
    source = tmp_path / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy(ROOT / name, source / name)
    shutil.copytree(ROOT / "src", source / "src", ignore=shutil.ignore_patterns("*.egg-info"))
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(tmp_path), "."],
        cwd=source,
        check=True,
        timeout=300,
    )
    (wheel,) = tmp_path.glob("caseroom-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)
    assert "caseroom/storage/migrations/env.py" in names
    assert any(n.startswith("caseroom/storage/migrations/versions/0001") for n in names)
    assert "caseroom/web/static/console/index.html" in names or any(
        n.startswith("caseroom/web/static/") and n.endswith(".html") for n in names
    )
    metadata = next(n for n in names if n.endswith(".dist-info/METADATA"))
    text = zipfile.ZipFile(wheel).read(metadata).decode()
    assert "License-Expression: Apache-2.0" in text
