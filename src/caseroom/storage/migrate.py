"""Programmatic Alembic: `caseroom migrate` and the test fixtures call this."""

from __future__ import annotations

import asyncio
from pathlib import Path

from alembic import command
from alembic.config import Config

MIGRATIONS = Path(__file__).with_name("migrations")


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url)
    return config


def upgrade(url: str) -> None:
    """Bring the database at `url` to the newest schema (every head)."""
    command.upgrade(alembic_config(url), "heads")


async def upgrade_async(url: str) -> None:
    # Alembic's env runs its own event loop; keep it off the caller's loop.
    await asyncio.to_thread(upgrade, url)
