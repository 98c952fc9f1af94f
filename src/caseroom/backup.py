"""`caseroom backup DIR` and `caseroom restore DIR`: the database and the files
folder, in one directory with a manifest.

SQLite is copied with its online backup API (consistent while the server
writes); PostgreSQL with pg_dump's custom format, restored with pg_restore. The
files are copied after the database snapshot: files are written before the rows
that name them, so every file the snapshot refers to is in the copy."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy.engine import URL, make_url

from caseroom.config import Settings
from caseroom.storage.database import is_sqlite
from caseroom.web.docs import package_version

MANIFEST = "manifest.json"
SQLITE_FILE, PG_FILE, FILES_DIR = "database.sqlite", "database.pgdump", "files"
# Made in the data folder when CASEROOM_SECRET_KEY is unset; channel secrets in
# the database cannot be read without it.
SECRET_KEY_FILE = "secret.key"
FORMAT = 1


class BackupError(Exception):
    """A backup or restore that cannot go ahead; the message says why."""


def _libpq(url: str) -> tuple[str, dict[str, str]]:
    """A URL pg_dump understands, and the environment carrying its password (a
    password on the command line is visible to every user of the machine)."""
    parsed: URL = make_url(url)
    env = dict(os.environ)
    if parsed.password:
        env["PGPASSWORD"] = str(parsed.password)
    plain = parsed.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _run(command: list[str], env: dict[str, str]) -> None:
    if shutil.which(command[0]) is None:
        raise BackupError(f"{command[0]} is not installed (the PostgreSQL client tools)")
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BackupError(f"{command[0]} failed: {done.stderr.strip()[-2000:]}")


def _sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database:
        raise BackupError("the SQLite URL names no file")
    return Path(database)


def _sqlite_copy(source: Path, target: Path) -> None:
    src, dst = sqlite3.connect(source), sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()


def backup(settings: Settings, destination: Path) -> dict[str, Any]:
    """Write a backup into `destination`, a directory that must not exist yet."""
    if destination.exists():
        raise BackupError(f"{destination} exists; back up into a new directory")
    destination.mkdir(parents=True)
    url = settings.database_url
    if is_sqlite(url):
        source = _sqlite_path(url)
        if not source.exists():
            raise BackupError(f"no database at {source}")
        _sqlite_copy(source, destination / SQLITE_FILE)
        kind = "sqlite"
    else:
        target, env = _libpq(url)
        _run(
            ["pg_dump", "--format=custom", "--no-owner", f"--file={destination / PG_FILE}", target],
            env,
        )
        kind = "postgresql"
    files = destination / FILES_DIR
    if settings.blob_root.is_dir():
        shutil.copytree(settings.blob_root, files)
    else:
        files.mkdir()
    key_file = settings.data_dir / SECRET_KEY_FILE
    if key_file.is_file():
        shutil.copy2(key_file, destination / SECRET_KEY_FILE)
    manifest = {
        "format": FORMAT,
        "database": kind,
        "caseroom": package_version(),
        "created_at": datetime.now(UTC).isoformat(),
        "files": sum(1 for p in files.rglob("*") if p.is_file()),
    }
    (destination / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
    return manifest


def restore(settings: Settings, source: Path) -> dict[str, Any]:
    """Put a backup back. The database must be empty (a new SQLite file, or a
    PostgreSQL database just created): restoring never overwrites data."""
    try:
        manifest: dict[str, Any] = json.loads((source / MANIFEST).read_text())
    except FileNotFoundError as missing:
        raise BackupError(f"{source} holds no {MANIFEST}: not a caseroom backup") from missing
    if manifest.get("format") != FORMAT:
        raise BackupError(f"unknown backup format {manifest.get('format')!r}")
    url = settings.database_url
    wanted = "sqlite" if is_sqlite(url) else "postgresql"
    if manifest["database"] != wanted:
        raise BackupError(f"this is a {manifest['database']} backup; the target is {wanted}")
    if wanted == "sqlite":
        target = _sqlite_path(url)
        if target.exists() and target.stat().st_size > 0:
            raise BackupError(f"{target} exists; restore into a new file")
        target.parent.mkdir(parents=True, exist_ok=True)
        _sqlite_copy(source / SQLITE_FILE, target)
    else:
        database, env = _libpq(url)
        _run(["pg_restore", "--no-owner", "--exit-on-error", f"--dbname={database}",
              str(source / PG_FILE)], env)  # fmt: skip
    shutil.copytree(source / FILES_DIR, settings.blob_root, dirs_exist_ok=True)
    key_file = settings.data_dir / SECRET_KEY_FILE
    if (source / SECRET_KEY_FILE).is_file() and not key_file.exists():
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source / SECRET_KEY_FILE, key_file)
    return manifest
