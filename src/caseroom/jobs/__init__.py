"""Background jobs: the worker, and the handler for each kind of job."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path

from caseroom.bots.assist import assist_handler
from caseroom.bots.llm import llm_handler
from caseroom.bots.welcome import Clock, welcome_handler
from caseroom.channels.base import Outbound
from caseroom.config import Settings
from caseroom.domain.model import Channel
from caseroom.jobs.blobs import blob_release_handler
from caseroom.jobs.calls import leave_dropped_handler, ring_out_handler
from caseroom.jobs.deliveries import delivery_handler
from caseroom.jobs.mention_mail import mention_mail_handler
from caseroom.jobs.retention import retention_handler
from caseroom.jobs.transcripts import rerender_handler, transcripts_handler
from caseroom.jobs.webhooks import webhook_handler
from caseroom.jobs.worker import Handler
from caseroom.services.blobs import BLOB_RELEASE_JOB
from caseroom.services.bot_calls import BOT_CALL_JOB, LLM_JOB, WEBHOOK_JOB, WELCOME_JOB
from caseroom.services.calls import DROPPED_JOB, RING_OUT_JOB
from caseroom.services.deliveries import DELIVER_JOB
from caseroom.services.file_links import FileLinks
from caseroom.services.mention_mail import MENTION_MAIL_JOB
from caseroom.services.retention import RETENTION_JOB
from caseroom.services.sending import Sender
from caseroom.services.transcript_filing import RERENDER_JOB
from caseroom.services.transcripts import TRANSCRIPTS_JOB
from caseroom.storage.blobs import BlobStore
from caseroom.storage.uow import Database


def job_handlers(
    db: Database,
    store: BlobStore,
    font_dir: Path,
    outbounds: Mapping[Channel, Outbound] | None = None,
    *,
    max_attempts: int = 8,
    links: FileLinks | None = None,
    retention_days: int | None = None,
    sender: Sender | None = None,
    settings: Settings | None = None,
    clock: Clock | None = None,
) -> dict[str, Handler]:
    """Every kind of job the worker runs, by kind. `outbounds`: the channel adapters
    deliveries leave through (none: a delivery fails saying its channel has none);
    `links` signs the links to files that email and SMS carry instead of the files;
    `retention_days` turns the purge of old Issues on. With `sender` and `settings`,
    bots and webhooks too (`clock`: the time the welcome bot reads team hours at;
    tests fix it)."""
    bots: dict[str, Handler] = {}
    if sender is not None and settings is not None:
        bots[BOT_CALL_JOB] = assist_handler(sender, settings.public_url)
        bots[WEBHOOK_JOB] = webhook_handler(db, sender, settings)
        bots[WELCOME_JOB] = welcome_handler(sender, settings.public_url, clock)
        bots[LLM_JOB] = llm_handler(sender, settings)
    handlers = {
        **bots,
        TRANSCRIPTS_JOB: transcripts_handler(db, store, font_dir),
        RERENDER_JOB: rerender_handler(db, store, font_dir),
        BLOB_RELEASE_JOB: blob_release_handler(db, store),
        DELIVER_JOB: delivery_handler(db, outbounds or {}, max_attempts=max_attempts, links=links),
        RING_OUT_JOB: ring_out_handler(),
        DROPPED_JOB: leave_dropped_handler(),
        MENTION_MAIL_JOB: mention_mail_handler(),
    }
    if retention_days:
        handlers[RETENTION_JOB] = retention_handler(timedelta(days=retention_days))
    return handlers
