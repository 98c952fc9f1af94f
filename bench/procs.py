"""Processes the benchmark starts and watches: CPU time, memory, core pinning."""

from __future__ import annotations

import contextlib
import os
import resource
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time the process has used so far (from /proc/<pid>/stat)."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rpartition(")")[2].split()
    # After the command name: state is field 3, utime 14 and stime 15 (1-based).
    return (int(fields[11]) + int(fields[12])) / _TICKS


def rss_kb(pid: int) -> int:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for {pid}")


def raise_open_files_limit() -> int:
    """Raise the soft limit on open files to the hard one (children inherit it)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def cores() -> tuple[set[int], set[int]]:
    """(server cores, driver cores): the driver gets the last core to itself where
    there are two or more."""
    available = sorted(os.sched_getaffinity(0))
    if len(available) < 2:
        return set(available), set(available)
    return set(available[:-1]), {available[-1]}


def pin(pid: int, cpus: set[int]) -> None:
    with contextlib.suppress(OSError):
        os.sched_setaffinity(pid, cpus)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Process:
    """A server process of the benchmark (caseroom or a floor) on a free port."""

    name: str
    argv: list[str]
    env: dict[str, str]
    log_dir: Path
    health_path: str = "/healthz"
    port: int = field(default_factory=free_port)
    popen: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int:
        assert self.popen is not None
        return self.popen.pid

    @property
    def http_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/api/v1/stream"

    def start(self, cpus: set[int], timeout: float = 30.0) -> Process:
        log = (self.log_dir / f"{self.name}.log").open("ab")
        argv = [sys.executable, *self.argv, "--port", str(self.port)]
        self.popen = subprocess.Popen(
            argv, env={**os.environ, **self.env}, stdout=log, stderr=subprocess.STDOUT
        )
        log.close()
        pin(self.popen.pid, cpus)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.popen.poll() is not None:
                raise RuntimeError(f"{self.name} exited; see {self.log_dir}/{self.name}.log")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(self.http_url + self.health_path, timeout=1).status_code == 200:
                    return self
            time.sleep(0.05)
        raise RuntimeError(f"{self.name} did not come up; see {self.log_dir}/{self.name}.log")

    def stop(self) -> None:
        if self.popen and self.popen.poll() is None:
            self.popen.terminate()
            try:
                self.popen.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait()


def profile(pid: int, seconds: float, out: Path) -> subprocess.Popen[bytes]:
    """Sample `pid` with py-spy for `seconds` (BENCH_PROFILE=DIR; see bench/profile.py)."""
    local = Path(sys.executable).parent / "py-spy"
    argv = [str(local) if local.exists() else "py-spy", "record", "--pid", str(pid)]
    argv += ["--duration", str(max(1, int(seconds))), "--format", "raw", "--rate", "200"]
    argv += ["--nonblocking", "-o", str(out)]
    return subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
