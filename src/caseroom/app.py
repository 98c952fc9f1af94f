"""create_app: the one place where adapters are chosen and wired together."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles

from caseroom.channels.base import Outbound
from caseroom.channels.email.listener import start_listener
from caseroom.channels.email.outbound import EmailOutbound
from caseroom.channels.sms import webhooks as sms_webhooks
from caseroom.channels.sms.demo_provider import DemoSmsProvider
from caseroom.channels.sms.wiring import sms_outbound
from caseroom.config import Settings
from caseroom.domain.file_links import FileLinkKeys
from caseroom.domain.model import Channel
from caseroom.jobs import job_handlers
from caseroom.jobs.retention import daily as retention_daily
from caseroom.jobs.worker import JobWorker
from caseroom.realtime.backends import broker_from_url
from caseroom.realtime.hub import Hub
from caseroom.services import auth, setup
from caseroom.services.bot_calls import BotPolicy
from caseroom.services.email_inbound import MailIntake
from caseroom.services.email_landing import IntakeLimits
from caseroom.services.file_links import FileLinks
from caseroom.services.mail import DatabaseCapture
from caseroom.services.outbox import outbox_planner
from caseroom.services.sending import Sender
from caseroom.storage.blobs import LocalBlobStore
from caseroom.storage.database import create_engine
from caseroom.storage.secrets import SecretBox, load_or_create_key
from caseroom.storage.uow import Database
from caseroom.web import (
    pages,
    routes_admin,
    routes_attachments,
    routes_auth,
    routes_bots,
    routes_calls,
    routes_canned,
    routes_channels,
    routes_data_requests,
    routes_directory,
    routes_email,
    routes_issues,
    routes_knowledge,
    routes_mail,
    routes_notes,
    routes_notifications,
    routes_public,
    routes_setup,
    routes_sms,
    routes_transcripts,
    routes_widget,
    routes_workspace,
    stream,
)
from caseroom.web.context import AppContext
from caseroom.web.docs import install_docs, package_version
from caseroom.web.frame_gate import FrameGate
from caseroom.web.limits import AbuseLimits
from caseroom.web.observability import Metrics, install_observability
from caseroom.web.page_headers import StrictTransportSecurity
from caseroom.web.principal_cache import PrincipalCache
from caseroom.web.problems import BodySizeLimit, install_problem_handlers
from caseroom.web.routes_audit import router as audit_router
from caseroom.web.setup_gate import SetupGate

STATIC = Path(__file__).parent / "web" / "static"


def _secret_keys(settings: Settings) -> list[str]:
    """The configured key (or one kept in the data folder) first, then a previous
    one still accepted while keys are rotated."""
    return [_installation_key(settings), *filter(None, [settings.secret_key_previous])]


def _installation_key(settings: Settings) -> str:
    return settings.secret_key or load_or_create_key(settings.data_dir / "secret.key")


def mail_intake(settings: Settings, db: Database, blobs: LocalBlobStore) -> MailIntake:
    """What the SMTP listener stores inbound mail through."""
    limits = IntakeLimits(
        max_chars=settings.max_message_chars,
        max_file_bytes=settings.max_file_bytes,
        max_files=settings.max_files_per_message,
        max_filename_chars=settings.max_filename_chars,
    )
    return MailIntake(db, blobs, limits, _installation_key(settings))


def secret_box(settings: Settings) -> SecretBox:
    """What seals channel secrets, as the app does (the demo sets up its mailbox)."""
    return SecretBox(_secret_keys(settings))


def create_app(
    settings: Settings | None = None,
    *,
    outbounds: Mapping[Channel, Outbound] | None = None,
    clock: Callable[[], datetime] | None = None,
) -> FastAPI:
    """The app. `outbounds` are the channel adapters deliveries leave through;
    `clock` is the time the welcome bot reads team hours at (tests fix it)."""
    settings = settings or Settings()
    auth.use_password_cost(settings.password_hash_time_cost, settings.password_hash_memory_kib)
    engine = create_engine(
        settings.database_url,
        pool_size=settings.db_pool_size,
        busy_timeout_ms=settings.sqlite_busy_timeout_ms,
    )
    broker = broker_from_url(settings.broker_url, prefix=settings.broker_prefix)
    secret_keys = _secret_keys(settings)
    links = FileLinks(
        settings.public_url,
        FileLinkKeys.derive(secret_keys),
        timedelta(days=settings.file_link_ttl_days),
    )
    hub = Hub(broker)
    metrics = Metrics(broker)
    db = Database(
        engine,
        metrics.counting(hub.publish),
        max_group=settings.db_group_max,
        group_lanes=settings.db_group_lanes,
        group_linger=settings.db_group_linger_ms / 1000,
        plan_outbox=outbox_planner(
            BotPolicy(settings.bot_calls_per_minute, settings.bot_context_messages)
        ),
        secret_box=SecretBox(secret_keys),
        publish_ephemeral=hub.publish_ephemeral,
        observe_group=metrics.group_sizes.observe,
    )
    blobs = LocalBlobStore(settings.blob_root)
    # Email always has an adapter: through the organization's relay, or kept in
    # the local capture when it has none.
    outbounds = {
        Channel.EMAIL: EmailOutbound(DatabaseCapture(db)),
        **sms_outbound(settings, db),
        **(outbounds or {}),
    }
    sender = Sender(db, blobs, settings.max_message_chars)
    handlers = job_handlers(
        db,
        blobs,
        settings.transcript_font_dir,
        outbounds,
        max_attempts=settings.job_max_attempts,
        links=links,
        retention_days=settings.retention_days,
        sender=sender,
        settings=settings,
        clock=clock,
    )
    worker = JobWorker(db, handlers, settings)
    db.on_jobs_enqueued(worker.nudge)
    context = AppContext(
        settings=settings,
        db=db,
        hub=hub,
        blobs=blobs,
        worker=worker,
        sender=sender,
        links=links,
        frames=FrameGate.from_settings(settings),
        principals=PrincipalCache(settings.auth_cache_seconds),
    )
    setup_gate = SetupGate()
    demo_sms = DemoSmsProvider(settings.sms_timeout_seconds)  # served only when turned on

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await hub.start()
        await worker.start()
        purging = asyncio.create_task(retention_daily(db)) if settings.retention_days else None
        if await db.read(setup.setup_open):
            setup_gate.open(settings.public_url)
        smtp = None
        if settings.smtp_port is not None:
            smtp = await start_listener(mail_intake(settings, db, blobs), settings)
        app.state.smtp = smtp
        try:
            yield
        finally:
            if purging:
                purging.cancel()
            if smtp is not None:
                smtp.close()
            await worker.stop()
            await demo_sms.close()
            await hub.stop()
            await db.close()

    app = FastAPI(
        title="caseroom",
        version=package_version(),
        summary="Customer-support chat: every Issue has a public and a private room.",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
    )
    app.state.context = context
    app.state.setup_gate = setup_gate
    install_problem_handlers(app)
    routers = (routes_auth, routes_public, routes_issues, routes_notes, routes_notifications)
    files = (routes_attachments, routes_transcripts, routes_channels, routes_calls, routes_mail)
    files_and_email = (*files, routes_email)
    for module in (
        *routers,
        routes_canned,
        routes_directory,
        routes_widget,
        *files_and_email,
        stream,
        pages,
    ):
        app.include_router(module.router)
    app.include_router(routes_workspace.router)
    app.include_router(routes_workspace.issue_router)
    app.include_router(routes_widget.pages)
    app.include_router(routes_attachments.links_router)
    app.include_router(routes_data_requests.router)
    for bot_router in (routes_bots.router, routes_knowledge.router, routes_knowledge.pages):
        app.include_router(bot_router)
    for admin in (routes_admin.router, audit_router, routes_setup.router, routes_setup.pages):
        app.include_router(admin)
    app.include_router(sms_webhooks.router)
    app.include_router(routes_sms.router)
    if settings.sms_demo_provider:
        app.include_router(demo_sms.router)
    install_docs(app)

    @app.get("/", include_in_schema=False)
    async def home() -> RedirectResponse:
        return RedirectResponse("/docs")

    if STATIC.is_dir():
        app.mount("/static", StaticFiles(directory=STATIC), name="static")
    if settings.limits_enabled:
        app.add_middleware(AbuseLimits, settings=settings)
    if settings.hsts_seconds:
        app.add_middleware(StrictTransportSecurity, max_age=settings.hsts_seconds)
    app.add_middleware(
        BodySizeLimit,
        limit=settings.max_request_bytes,
        larger=((routes_attachments.UPLOAD_PATH_PATTERN, settings.max_upload_request_bytes),),
    )
    install_observability(app, settings, db, metrics)
    return app
