"""Unit of work: one transaction, its repositories, and the events it stages.

Events are published only after a successful commit, in a step that request
cancellation cannot interrupt; a rollback (including a failed attempt that
is retried) drops them."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar, cast

from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from caseroom.domain.events import Event
from caseroom.storage.audit import AuditRepository
from caseroom.storage.availability import AvailabilityRepository
from caseroom.storage.bots import BotRepository
from caseroom.storage.calls import CallRepository
from caseroom.storage.canned import CannedResponseRepository
from caseroom.storage.channels import (
    ChannelSettingsRepository,
    ContactBlockRepository,
    DeliveryRepository,
    ReceiptRepository,
    ThreadRepository,
)
from caseroom.storage.customer_notes import CustomerNoteRepository
from caseroom.storage.database import READ_ONLY, InlineSQLiteDialect
from caseroom.storage.directory import (
    AgentRepository,
    CredentialRepository,
    CustomerRepository,
    OrganizationRepository,
    TeamRepository,
)
from caseroom.storage.erasure import ErasureRepository
from caseroom.storage.files import AttachmentRepository, TranscriptRepository
from caseroom.storage.group_commit import GroupCommit, WorkFailed
from caseroom.storage.inbound_mails import InboundMailRepository
from caseroom.storage.issues import ActivityRepository, IssueRepository
from caseroom.storage.jobs import JobRepository
from caseroom.storage.knowledge import KnowledgeRepository
from caseroom.storage.llm import LlmSettingsRepository
from caseroom.storage.mail import CapturedMailRepository, MessageEmailRepository
from caseroom.storage.messages import MessageRepository
from caseroom.storage.notifications import NotificationRepository
from caseroom.storage.people import PeopleRepository
from caseroom.storage.principal_epoch import ADVANCE, epoch_reader, forget_mark, watch, written
from caseroom.storage.ratings import RatingRepository
from caseroom.storage.redaction import RedactionPatternRepository
from caseroom.storage.retention import RetentionRepository
from caseroom.storage.search import IssueFinder
from caseroom.storage.secrets import SecretBox
from caseroom.storage.sms import AgentMobileRepository
from caseroom.storage.starts import ConversationStartRepository
from caseroom.storage.webhooks import WebhookDeliveryRepository, WebhookEndpointRepository
from caseroom.storage.widget import WidgetRepository

Publish = Callable[[list[Event]], Awaitable[None]]
T = TypeVar("T")


class UnitOfWork:
    def __init__(self, conn: AsyncConnection, secret_box: SecretBox | None = None) -> None:
        self._conn = conn
        self._events: list[Event] = []
        self._committed: list[Event] = []
        self.organizations = OrganizationRepository(conn)
        self.agents = AgentRepository(conn)
        self.teams = TeamRepository(conn)
        self.customers = CustomerRepository(conn)
        self.credentials = CredentialRepository(conn)
        self.issues = IssueRepository(conn)
        self.messages = MessageRepository(conn)
        self.activity = ActivityRepository(conn)
        self.notifications = NotificationRepository(conn)
        self.canned = CannedResponseRepository(conn)
        self.redaction_patterns = RedactionPatternRepository(conn)
        self.widgets = WidgetRepository(conn)
        self.attachments = AttachmentRepository(conn)
        self.transcripts = TranscriptRepository(conn)
        self.jobs = JobRepository(conn)
        self.starts = ConversationStartRepository(conn)
        self.channels = ChannelSettingsRepository(conn, secret_box)
        self.deliveries = DeliveryRepository(conn)
        self.receipts = ReceiptRepository(conn)
        self.threads = ThreadRepository(conn)
        self.contact_blocks = ContactBlockRepository(conn)
        self.bots = BotRepository(conn)
        self.webhooks = WebhookEndpointRepository(conn, secret_box)
        self.webhook_deliveries = WebhookDeliveryRepository(conn)
        self.knowledge = KnowledgeRepository(conn)
        self.llm = LlmSettingsRepository(conn, secret_box)
        self.people = PeopleRepository(conn)
        self.audit = AuditRepository(conn)
        self.erasure = ErasureRepository(conn)
        self.retention = RetentionRepository(conn)
        self.calls = CallRepository(conn)
        self.agent_mobiles = AgentMobileRepository(conn)
        self.message_emails = MessageEmailRepository(conn)
        self.captured_mail = CapturedMailRepository(conn)
        self.inbound_mails = InboundMailRepository(conn)
        self.search = IssueFinder(conn)
        self.customer_notes = CustomerNoteRepository(conn)
        self.ratings = RatingRepository(conn)
        self.availability = AvailabilityRepository(conn)

    @property
    def connection(self) -> AsyncConnection:
        """For tests that inspect rows directly; use cases never touch it."""
        return self._conn

    def emit(self, event: Event) -> None:
        """Stage an event for publication after commit."""
        self._events.append(event)

    @property
    def staged_events(self) -> list[Event]:
        """What this transaction has staged so far (the outbox step reads it)."""
        return list(self._events)

    async def commit(self) -> None:
        """Commit; the staged events are then taken with `committed_events()` and
        published by `Database` once the transaction's connection is released."""
        await self._conn.commit()
        self._committed, self._events = self._events, []

    def committed_events(self) -> list[Event]:
        events, self._committed = self._committed, []
        return events

    async def rollback(self) -> None:
        self._events.clear()
        await self._conn.rollback()


# Runs just before commit, in the transaction, with what it staged: writes the
# jobs (deliveries, bot reactions, webhooks) that must follow what it did.
PlanOutbox = Callable[[UnitOfWork, list[Event]], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class _Committed:
    results: list[Any]
    events: list[Event]
    jobs: int


class Database:
    """Opens units of work on one engine, publishing their events through `publish`."""

    def __init__(
        self,
        engine: AsyncEngine,
        publish: Publish,
        *,
        max_group: int = 100,
        group_lanes: int = 4,
        group_linger: float = 0.0,
        jobs_enqueued: Callable[[], None] | None = None,
        plan_outbox: PlanOutbox | None = None,
        secret_box: SecretBox | None = None,
        publish_ephemeral: Publish | None = None,
        observe_group: Callable[[int], None] | None = None,
    ) -> None:
        self.engine = engine
        self._publish = publish
        sqlite = engine.dialect.name == "sqlite"
        lanes = 1 if sqlite else group_lanes
        self._group = GroupCommit(
            self.run_group,
            self.run,
            max_group,
            lanes,
            observe_group,
            # SQLite's one lane stores while the loop waits, so a burst's sends
            # arrive only after its group: lingering gathers them. PostgreSQL's
            # lanes store while the loop runs; there it measured slower.
            linger=group_linger if sqlite else 0.0,
        )
        self._announcements = GroupCommit(self._announce_group, self._announce_alone, max_group)
        # SQLite has one writer at a time; queueing writers here, not inside SQLite,
        # keeps BEGIN IMMEDIATE from waiting on the event loop it would block.
        self._write_slot = asyncio.Lock() if sqlite else contextlib.nullcontext()
        self._inline = isinstance(engine.dialect, InlineSQLiteDialect)
        self._jobs_enqueued = jobs_enqueued
        self._plan_outbox = plan_outbox
        self._secret_box = secret_box
        self._publish_ephemeral = publish_ephemeral or publish
        watch(engine.sync_engine)
        self._epoch = epoch_reader(engine)

    def _connect(self) -> contextlib.AbstractAsyncContextManager[AsyncConnection]:
        return _inline_connection(self.engine) if self._inline else self.engine.connect()

    def on_jobs_enqueued(self, callback: Callable[[], None]) -> None:
        """Call `callback` after each commit that enqueued a job (wakes the worker)."""
        self._jobs_enqueued = callback

    def set_outbox(self, plan_outbox: PlanOutbox) -> None:
        self._plan_outbox = plan_outbox

    async def run(self, work: Callable[[UnitOfWork], Awaitable[T]], *, attempts: int = 5) -> T:
        """Run `work` in a new transaction and commit it. A conflict (unique key race,
        serialization failure, busy database) rolls back and runs it again, so `work`
        must be a pure function of what it reads."""
        for attempt in range(1, attempts + 1):
            try:
                done = await self._transaction([work], grouped=False)
            except (IntegrityError, OperationalError, DBAPIError) as error:
                if attempt == attempts or not _retryable(error):
                    raise
                await asyncio.sleep(0.005 * attempt)
                continue
            await self._after_commit(done)
            result: T = done.results[0]
            return result
        raise AssertionError("unreachable")

    async def run_grouped(self, work: Callable[[UnitOfWork], Awaitable[T]], *, key: str) -> T:
        """Like `run`, but `work` may share its transaction with others that arrive
        at the same time (see group_commit.py): for frequent, small writes that
        lock one row, named by `key` (the Issue's id)."""
        result: T = await self._group.run(work, key)
        return result

    async def run_group(self, works: list[Callable[[UnitOfWork], Awaitable[Any]]]) -> list[Any]:
        """Run `works` in order in one transaction and commit it; raises WorkFailed
        (everything rolled back) if one of them raises."""
        done = await self._transaction(works, grouped=True)
        await self._after_commit(done)
        return done.results

    async def announce(self, work: Callable[[UnitOfWork], Awaitable[T]]) -> T:
        """Run read-only `work` and publish what it staged at once, with nothing
        committed: ephemeral events (typing, presence, call signaling).
        Announcements made together (every Customer's page repeats its presence
        at each heartbeat) share one read transaction, the way sends share a
        commit; one that fails is run again alone and fails alone."""
        result: T = await self._announcements.run(work, "")  # one lane, arrival order
        return result

    async def _announce_group(
        self, works: list[Callable[[UnitOfWork], Awaitable[Any]]]
    ) -> list[Any]:
        async with self._connect() as conn:
            conn = await conn.execution_options(**{READ_ONLY: True})
            await conn.begin()
            uow = UnitOfWork(conn, self._secret_box)
            results = []
            try:
                for index, work in enumerate(works):
                    try:
                        results.append(await work(uow))
                    except Exception as error:
                        raise WorkFailed(index) from error
                staged = uow.staged_events
            finally:
                await uow.rollback()
        if staged:
            await asyncio.shield(self._publish_ephemeral(staged))
        return results

    async def _announce_alone(self, work: Callable[[UnitOfWork], Awaitable[T]]) -> T:
        try:
            [result] = await self._announce_group([work])
        except WorkFailed as failed:
            assert failed.__cause__ is not None
            raise failed.__cause__ from None
        return cast(T, result)

    async def _transaction(
        self, works: list[Callable[[UnitOfWork], Awaitable[Any]]], *, grouped: bool
    ) -> _Committed:
        """The one way a write happens: begin, run the works, plan the outbox from
        what they staged, commit; roll back on any error."""
        async with self._write_slot, self._connect() as conn:
            await conn.begin()
            uow = UnitOfWork(conn, self._secret_box)
            results = []
            try:
                for index, work in enumerate(works):
                    try:
                        results.append(await work(uow))
                    except Exception as error:
                        if grouped:
                            raise WorkFailed(index) from error
                        raise
                if self._plan_outbox is not None and uow.staged_events:
                    await self._plan_outbox(uow, uow.staged_events)
                if written(conn.info):
                    await conn.execute(ADVANCE)  # last: it commits with the change
                await uow.commit()
            except BaseException:
                await uow.rollback()
                raise
            finally:
                forget_mark(conn.info)
            return _Committed(results, uow.committed_events(), uow.jobs.enqueued)

    async def _after_commit(self, done: _Committed) -> None:
        if done.events:
            # Shielded: a client that disconnects now must not cancel delivery
            # of what is already durable.
            await asyncio.shield(self._publish(done.events))
        if done.jobs and self._jobs_enqueued is not None:
            self._jobs_enqueued()

    async def close(self) -> None:
        """Close every connection: the epoch reader's, then the engine's."""
        self._epoch.close()
        await self.engine.dispose()

    async def principal_epoch(self) -> int | None:
        """The committed principal epoch (see principal_epoch.py): equal to an
        earlier reading, no principal has changed since; None if unreadable."""
        return await self._epoch.read()

    async def read(self, work: Callable[[UnitOfWork], Awaitable[T]]) -> T:
        """Run read-only `work` (on SQLite this does not take the write lock)."""
        async with self._connect() as conn:
            conn = await conn.execution_options(**{READ_ONLY: True})
            await conn.begin()
            uow = UnitOfWork(conn, self._secret_box)
            try:
                return await work(uow)
            finally:
                await uow.rollback()


@contextlib.asynccontextmanager
async def _inline_connection(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """A connection of SQLite run in the loop's thread, closed directly: closing it
    never waits, so it needs none of the shielded task that AsyncConnection's own
    exit runs the close in (a turn of the loop per transaction, with the
    connection out of the pool meanwhile, so that bursts open new connections)."""
    conn = await engine.connect()
    try:
        yield conn
    finally:
        await conn.close()


def _retryable(error: DBAPIError) -> bool:
    if isinstance(error, IntegrityError):
        return True
    text = str(error.orig).lower()
    return any(
        marker in text
        for marker in ("database is locked", "could not serialize", "deadlock detected")
    )
