"""`make bench`: runs every scenario on this machine in one go, prints a table and
writes the figures to bench/results/.

Scenarios (BENCH_ONLY=name,... runs a subset):
  relay, durable     the two floors (bench/floors.py) under the websocket load
  sqlite-ws          caseroom on SQLite, one process, messages sent over the websocket
  sqlite-rest        the same, messages sent with the REST API
  pg-ws, pg-rest     caseroom on PostgreSQL with Redis, two processes
  pg4-ws, pg4-rest   the same with four processes (CPU per message should stay flat)
  idle               idle connections one process holds, and memory per connection
  reads              a history page from a long room; inbox queries in a large organization
  sms                signed SMS webhooks accepted per second, webhook -> agent websocket
  knowledge          knowledge search over 10,000 articles, on SQLite and on PostgreSQL
  mail               inbound mail over SMTP on SQLite: stored per second, DATA -> agent's socket
  search-sqlite,     full-text search in an organization of 100,000 Issues and 1,000,000
  search-pg          messages, through the search service (SQLite FTS5, PostgreSQL tsvector)
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
from cryptography.fernet import Fernet
from redis.asyncio import Redis
from redis.exceptions import RedisError

from bench import knowledge, mail, reads, seed, sms, transcript_pdf
from bench import search as search_bench
from bench.procs import Process, cores, cpu_seconds, free_port, raise_open_files_limit
from bench.report import render, write
from bench.scratch import pg_admin
from bench.settings import BenchSettings
from caseroom.config import Settings
from caseroom.storage.migrate import upgrade

RESULTS = Path(__file__).parent / "results"
KNOWLEDGE_ARTICLES = 10_000
# The load comes from one address with a few tokens: the abuse limits stay on (their
# counting is part of the cost) but so high that they never refuse the benchmark.
_UNLIMITED = {
    "CASEROOM_LIMIT_WEBSOCKET_CONNECTS": "1000000/minute",
    "CASEROOM_LIMIT_WEBSOCKET_FRAMES": "1000000/second",
    "CASEROOM_LIMIT_PER_TOKEN": "100000000/minute",
}


class Bench:
    def __init__(self, settings: BenchSettings, workdir: Path) -> None:
        self.settings = settings
        self.workdir = workdir
        self.server_cpus, self.driver_cpus = cores()
        self.results: dict[str, Any] = {"scenarios": {}, "notes": []}

    # -- driving -----------------------------------------------------------------

    def drive(self, name: str, plan: dict[str, Any]) -> dict[str, Any]:
        s = self.settings
        plan = {
            "name": name,
            "mode": "load",
            "rates": s.rates,
            "step_seconds": s.step_seconds,
            "drain_seconds": s.drain_seconds,
            "body_bytes": s.body_bytes,
            "cpus": sorted(self.driver_cpus),
            "profile_dir": os.environ.get("BENCH_PROFILE"),
            **plan,
        }
        plan_path, out_path = self.workdir / f"{name}.plan.json", self.workdir / f"{name}.json"
        plan_path.write_text(json.dumps(plan))
        subprocess.run(
            [sys.executable, "-m", "bench.driver", str(plan_path), str(out_path)], check=True
        )
        result: dict[str, Any] = json.loads(out_path.read_text())
        return result

    def load(
        self, name: str, servers: list[Process], members: list[dict[str, str]], send: str
    ) -> None:
        print(f"-- {name}", flush=True)
        targets = [{"ws_url": p.ws_url, "http_url": p.http_url} for p in servers]
        result = self.drive(
            name,
            {
                "targets": targets,
                "members": members,
                "send": send,
                "server_pids": [p.pid for p in servers],
            },
        )
        result["server_processes"] = len(servers)
        self.results["scenarios"][name] = result

    # -- servers -------------------------------------------------------------------

    def caseroom(self, name: str, env: dict[str, str]) -> Process:
        return Process(name, ["-m", "caseroom.cli", "serve"], {**_UNLIMITED, **env}, self.workdir)

    @contextlib.contextmanager
    def serving(self, processes: list[Process], cpus: set[int] | None) -> Iterator[list[Process]]:
        try:
            yield [p.start(cpus or set(os.sched_getaffinity(0))) for p in processes]
        finally:
            for process in processes:
                process.stop()

    # -- scenarios -------------------------------------------------------------------

    def floors(self, members: list[dict[str, str]]) -> None:
        for kind in ("relay", "durable"):
            if not self.settings.wants(kind):
                continue
            db = self.workdir / f"{kind}.db"
            floor = Process(
                f"floor-{kind}", ["-m", "bench.floors", kind, "--db", str(db)], {}, self.workdir
            )
            with self.serving([floor], self.server_cpus):
                self.load(kind, [floor], members, "ws")

    def sqlite(self) -> None:
        s = self.settings
        if s.wants("knowledge"):
            self.knowledge("sqlite", f"sqlite+aiosqlite:///{self.workdir / 'knowledge.db'}")
        wanted = [n for n in ("sqlite-ws", "sqlite-rest", "idle", "reads") if s.wants(n)]
        if not wanted and not (s.wants("relay") or s.wants("durable")):
            return
        url = f"sqlite+aiosqlite:///{self.workdir / 'caseroom.db'}"
        print(f"seeding {s.issues} conversations (SQLite)", flush=True)
        members = asyncio.run(seed.conversations_under_load(url, s.issues, s.agents))
        self.floors(members)
        env = {"CASEROOM_DATABASE_URL": url}
        for send in ("ws", "rest"):
            if s.wants(f"sqlite-{send}"):
                with self.serving([self.caseroom("sqlite", env)], self.server_cpus) as servers:
                    self.load(f"sqlite-{send}", servers, members, send)
        if s.wants("idle"):
            self.idle(env, members)
        if s.wants("reads"):
            self.reads(url, env)

    def idle(self, env: dict[str, str], members: list[dict[str, str]]) -> None:
        print("-- idle", flush=True)
        with self.serving([self.caseroom("idle", env)], self.server_cpus) as (server,):
            plan = {
                "mode": "idle",
                "targets": [{"ws_url": server.ws_url, "http_url": server.http_url}],
                "members": members,
                "server_pids": [server.pid],
                "idle_levels": self.settings.idle_levels,
            }
            self.results["idle"] = self.drive("idle", plan)

    def reads(self, url: str, env: dict[str, str]) -> None:
        s = self.settings
        print(
            f"-- reads: seeding {s.big_issues:,} Issues, {s.org_messages:,} messages, "
            f"a room of {s.history:,}",
            flush=True,
        )
        big = asyncio.run(seed.big_organization(url, s.big_issues, s.history, s.org_messages))
        with self.serving([self.caseroom("reads", env)], self.server_cpus) as (server,):
            self.results["reads"] = asyncio.run(reads.measure(server.http_url, big, s.reads))
        font_dir = Settings().transcript_font_dir
        self.results["reads"]["transcript"] = asyncio.run(reads.transcript(url, big, font_dir))
        print("-- reads: the transcript renderer alone, 10,000 and 100,000 entries", flush=True)
        self.results["reads"]["transcript_renderer"] = [
            transcript_pdf.in_subprocess(entries) for entries in (10_000, 100_000)
        ]

    def sms(self) -> None:
        """One process on SQLite: a burst of signed inbound texts into one Issue."""
        if not self.settings.wants("sms"):
            return
        print("-- sms", flush=True)
        url = f"sqlite+aiosqlite:///{self.workdir / 'sms.db'}"
        key = Fernet.generate_key().decode()
        token = asyncio.run(sms.seed(url, key))
        env = {"CASEROOM_DATABASE_URL": url, "CASEROOM_SECRET_KEY": key}
        # One agent token sends the whole baseline burst: past the per-token limit.
        server = self.caseroom("sms", {**env, "CASEROOM_LIMITS_ENABLED": "false"})
        server.env["CASEROOM_PUBLIC_URL"] = server.http_url
        s = self.settings
        with self.serving([server], self.server_cpus) as (running,):
            self.results["sms"] = asyncio.run(
                sms.measure(
                    running.http_url,
                    running.ws_url,
                    token,
                    s.sms_texts,
                    s.sms_concurrency,
                    lambda: cpu_seconds(running.pid),
                )
            )

    def knowledge(self, database: str, url: str) -> None:
        """Search latency over many articles; the schema is made here (a fresh file
        or database), like `caseroom migrate` would."""
        print(f"-- knowledge ({database}): {KNOWLEDGE_ARTICLES:,} articles", flush=True)
        upgrade(url)
        found = asyncio.run(knowledge.measure(url, KNOWLEDGE_ARTICLES, self.settings.reads))
        self.results.setdefault("knowledge", {})[database] = found

    def mail(self) -> None:
        if not self.settings.wants("mail"):
            return
        print("-- mail", flush=True)
        url = f"sqlite+aiosqlite:///{self.workdir / 'mail.db'}"
        key = Fernet.generate_key().decode()
        seeded = asyncio.run(mail.seed_mailbox(url, mail.SUBSCRIBED, key))
        smtp_port = free_port()
        env = {
            "CASEROOM_DATABASE_URL": url,
            "CASEROOM_SECRET_KEY": key,
            "CASEROOM_SMTP_PORT": str(smtp_port),
            "CASEROOM_LIMITS_ENABLED": "false",
        }
        server = Process("mail", ["-m", "caseroom.cli", "serve"], env, self.workdir)
        with self.serving([server], self.server_cpus) as (running,):
            self.results["mail"] = asyncio.run(
                mail.measure(
                    running.ws_url,
                    smtp_port,
                    seeded,
                    self.settings.mails,
                    8,
                    lambda: cpu_seconds(running.pid),
                )
            )

    def search(self) -> None:
        s = self.settings
        found: dict[str, Any] = {}
        if s.wants("search-sqlite"):
            url = f"sqlite+aiosqlite:///{self.workdir / 'search.db'}"
            found["sqlite"] = self._search(url)
        if s.wants("search-pg"):
            name = f"caseroom_bench_search_{uuid.uuid4().hex[:8]}"
            try:
                asyncio.run(pg_admin(s.postgres, f'CREATE DATABASE "{name}"'))
            except (OSError, asyncpg.PostgresError) as error:
                self.results["notes"].append(f"PostgreSQL search skipped: {error}")
            else:
                try:
                    base = s.postgres.replace("postgresql://", "postgresql+asyncpg://")
                    found["postgres"] = self._search(f"{base}/{name}")
                finally:
                    drop = f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'
                    asyncio.run(pg_admin(s.postgres, drop))
        if found:
            self.results["search"] = found

    def _search(self, url: str) -> dict[str, Any]:
        s = self.settings
        print(f"-- search: seeding {s.search_issues:,} Issues ({url.split(':')[0]})", flush=True)
        started = time.time()
        seeded = asyncio.run(search_bench.seed(url, s.search_issues, s.search_per_issue))
        measured = asyncio.run(search_bench.measure(url, seeded, s.searches))
        measured["seed_seconds"] = time.time() - started
        return measured

    def postgres(self) -> None:
        s = self.settings
        if s.wants("knowledge"):
            self.knowledge_on_postgres()
        wanted = [n for n in ("pg-ws", "pg-rest", "pg4-ws", "pg4-rest") if s.wants(n)]
        if not wanted:
            return
        try:
            asyncio.run(_redis_ping(s.redis))
        except (OSError, RedisError) as error:
            self.results["notes"].append(f"PostgreSQL+Redis scenarios skipped: Redis: {error}")
            return
        name = f"caseroom_bench_{uuid.uuid4().hex[:8]}"
        try:
            asyncio.run(pg_admin(s.postgres, f'CREATE DATABASE "{name}"'))
        except (OSError, asyncpg.PostgresError) as error:
            self.results["notes"].append(f"PostgreSQL scenarios skipped: {error}")
            return
        try:
            url = f"{s.postgres.replace('postgresql://', 'postgresql+asyncpg://')}/{name}"
            print(f"seeding {s.issues} conversations (PostgreSQL)", flush=True)
            members = asyncio.run(seed.conversations_under_load(url, s.issues, s.agents))
            env = {"CASEROOM_DATABASE_URL": url, "CASEROOM_BROKER_URL": s.redis}
            for scenario in wanted:
                # Channels of this run only: other users of the same Redis are unaffected.
                env["CASEROOM_BROKER_PREFIX"] = f"caseroom-bench:{uuid.uuid4().hex[:8]}:"
                count = 4 if scenario.startswith("pg4") else 2
                group = [self.caseroom(f"{scenario}-{i}", env) for i in range(1, count + 1)]
                # Not pinned: the processes, PostgreSQL and Redis share the machine.
                with self.serving(group, None) as servers:
                    self.load(scenario, servers, members, scenario.split("-")[1])
        finally:
            asyncio.run(pg_admin(s.postgres, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    def knowledge_on_postgres(self) -> None:
        s = self.settings
        name = f"caseroom_bench_kb_{uuid.uuid4().hex[:8]}"
        try:
            asyncio.run(pg_admin(s.postgres, f'CREATE DATABASE "{name}"'))
        except (OSError, asyncpg.PostgresError) as error:
            self.results["notes"].append(f"knowledge on PostgreSQL skipped: {error}")
            return
        try:
            url = f"{s.postgres.replace('postgresql://', 'postgresql+asyncpg://')}/{name}"
            self.knowledge("postgresql", url)
        finally:
            asyncio.run(pg_admin(s.postgres, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    def run(self) -> dict[str, Any]:
        started = time.time()
        self.results["machine"] = {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
            "server_cpus": sorted(self.server_cpus),
            "driver_cpus": sorted(self.driver_cpus),
            "open_files": raise_open_files_limit(),
            "loop_10m_s": _machine_speed(),
        }
        self.results["settings"] = self.settings.__dict__
        for part in (self.sqlite, self.sms, self.mail, self.postgres, self.search):
            self._survive(part)
        self.results["seconds"] = time.time() - started
        return self.results

    def _survive(self, part: Callable[[], None]) -> None:
        """Run one part of the benchmark; if it fails, say so in the results, keep
        the servers' logs, and go on with the others (a long run keeps what it
        measured)."""
        try:
            part()
        except Exception as error:  # reported, then the run goes on
            kept = Path(tempfile.mkdtemp(prefix="caseroom-bench-logs-"))
            for log in self.workdir.glob("*.log"):
                shutil.copy(log, kept / log.name)
            name = part.__name__
            self.results["notes"].append(f"{name} failed: {error!r}; server logs in {kept}")
            print(f"-- {name} FAILED: {error!r} (server logs in {kept})", flush=True)


async def _redis_ping(url: str) -> None:
    client = Redis.from_url(url, socket_connect_timeout=5)
    try:
        await client.ping()
    finally:
        await client.aclose()


def main() -> int:
    settings = BenchSettings()
    with tempfile.TemporaryDirectory(prefix="caseroom-bench-") as tmp:
        results = Bench(settings, Path(tmp)).run()
    results["finished_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    results["command"] = "make bench"
    print(render(results))
    path = write(results, RESULTS)
    print(f"\nresults written to {path}")
    return 0


def _machine_speed() -> float:
    """CPU seconds a plain Python loop of ten million additions takes here: the
    figures of runs on different machines compare only through it (or through
    the floors of the same run)."""
    started, total = time.process_time(), 0
    for i in range(10_000_000):
        total += i
    return round(time.process_time() - started, 3)
