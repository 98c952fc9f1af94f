"""Table definitions (SQLAlchemy Core). Every tenant table carries org_id."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
    func,
)

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


class UTCDateTime(TypeDecorator[datetime]):
    """Stored as naive UTC on every database, returned as aware UTC."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        return value.replace(tzinfo=UTC) if value is not None else None


def _id(name: str = "id") -> Column[str]:
    return Column(name, String(32), primary_key=True)


def _org() -> Column[str]:
    return Column("org_id", String(32), ForeignKey("organizations.id"), nullable=False)


organizations = Table(
    "organizations",
    metadata,
    _id(),
    Column("slug", String(64), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("max_open_issues_per_agent", Integer),
    # An agent's first reply to an Unclaimed Issue claims it for them.
    Column("claim_on_reply", Boolean, nullable=False, default=True, server_default="1"),
    Column("created_at", UTCDateTime, nullable=False),
)

agents = Table(
    "agents",
    metadata,
    _id(),
    _org(),
    Column("email", String(320), nullable=False),
    Column("name", String(200), nullable=False),
    Column("role", String(16), nullable=False),
    Column("password_hash", String(200)),
    Column("active", Boolean, nullable=False, default=True),
    Column("created_at", UTCDateTime, nullable=False),
    # When one of the agent's consoles was last connected (its heartbeat): the
    # widget shows the desk online while someone is.
    Column("last_seen_at", UTCDateTime),
    # The console language the agent chose; NULL follows the browser.
    Column("locale", String(16)),
    UniqueConstraint("org_id", "email"),
)
Index("ix_agents_email", agents.c.email)

teams = Table(
    "teams",
    metadata,
    _id(),
    _org(),
    Column("name", String(200), nullable=False),
    Column("hours", String(200)),
    Column("timezone", String(64), nullable=False, default="UTC"),
    UniqueConstraint("org_id", "name"),
)

team_members = Table(
    "team_members",
    metadata,
    _org(),
    Column("team_id", String(32), ForeignKey("teams.id"), primary_key=True),
    Column("agent_id", String(32), ForeignKey("agents.id"), primary_key=True),
)
Index("ix_team_members_agent", team_members.c.agent_id)

customers = Table(
    "customers",
    metadata,
    _id(),
    _org(),
    Column("name", String(200), nullable=False),
    Column("email", String(320)),
    Column("phone", String(32)),
    Column("external_id", String(200)),
    Column("created_at", UTCDateTime, nullable=False),
    UniqueConstraint("org_id", "email"),
    UniqueConstraint("org_id", "phone"),
    UniqueConstraint("org_id", "external_id"),
)

issues = Table(
    "issues",
    metadata,
    _id(),
    _org(),
    Column("reference", String(6), nullable=False),
    Column("subject", String(300), nullable=False),
    Column("status", String(16), nullable=False),
    Column("customer_id", String(32), ForeignKey("customers.id"), nullable=False),
    Column("source_channel", String(16), nullable=False),
    Column("owner_agent_id", String(32), ForeignKey("agents.id")),
    Column("team_id", String(32), ForeignKey("teams.id")),
    Column("tags", JSON, nullable=False, default=list),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("claimed_at", UTCDateTime),
    Column("resolved_at", UTCDateTime),
    Column("public_seq", Integer, nullable=False, default=0),
    Column("private_seq", Integer, nullable=False, default=0),
    Column("last_message_at", UTCDateTime),
    Column("waiting_since", UTCDateTime),
    Column("linked_issue_id", String(32), ForeignKey("issues.id")),
    # Bumped by every change to an existing message (edit, delete, redaction)
    # under the Issue's row lock, so changes are numbered in commit order.
    Column("change_seq", Integer, nullable=False, default=0, server_default="0"),
    # Contact details an unverified start gave that differ from the Customer's.
    Column("given_contact", JSON(none_as_null=True)),
    # Where an agent's reply goes by default: the channel the Customer last wrote
    # through, and the address they wrote from there (None: their stored one).
    Column("reply_channel", String(16), nullable=False, default="chat", server_default="chat"),
    Column("reply_address", String(320)),
    Column("priority", String(8)),  # low | normal | high | urgent; None is normal
    # Where the Customer started it (widget, embed, connect, sms, email, api).
    Column("surface", String(16)),
    UniqueConstraint("org_id", "reference"),
)
Index("ix_issues_queue", issues.c.org_id, issues.c.status, issues.c.team_id, issues.c.id)
Index("ix_issues_owner", issues.c.org_id, issues.c.owner_agent_id, issues.c.status, issues.c.id)
Index("ix_issues_customer", issues.c.org_id, issues.c.customer_id, issues.c.id)
# The views' order (last activity, per status): see storage/search.py.
Index(
    "ix_issues_activity",
    issues.c.org_id,
    issues.c.status,
    func.coalesce(issues.c.last_message_at, issues.c.created_at),
    issues.c.id,
)

watchers = Table(
    "watchers",
    metadata,
    _org(),
    Column("issue_id", String(32), ForeignKey("issues.id"), primary_key=True),
    Column("agent_id", String(32), ForeignKey("agents.id"), primary_key=True),
)
Index("ix_watchers_agent", watchers.c.agent_id, watchers.c.issue_id)

messages = Table(
    "messages",
    metadata,
    _id(),
    _org(),
    Column("issue_id", String(32), ForeignKey("issues.id"), nullable=False),
    Column("room", String(8), nullable=False),
    Column("seq", Integer, nullable=False),
    Column("kind", String(8), nullable=False),
    Column("channel", String(8), nullable=False),
    Column("author_kind", String(8), nullable=False),
    Column("author_id", String(32)),
    Column("author_name", String(200), nullable=False),
    Column("body", Text, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("sender_key", String(48)),
    Column("idempotency_key", String(128)),
    Column("edited_at", UTCDateTime),
    Column("deleted_at", UTCDateTime),
    Column("redacted_at", UTCDateTime),
    Column("change_seq", Integer),  # the Issue's change_seq at the last change
    UniqueConstraint("issue_id", "room", "seq"),
    UniqueConstraint("org_id", "sender_key", "idempotency_key"),
)

activity = Table(
    "activity",
    metadata,
    _id(),
    _org(),
    Column("issue_id", String(32), ForeignKey("issues.id"), nullable=False),
    Column("actor_kind", String(8), nullable=False),
    Column("actor_id", String(32)),
    Column("action", String(32), nullable=False),
    Column("detail", JSON, nullable=False, default=dict),
    Column("created_at", UTCDateTime, nullable=False),
)
Index("ix_activity_issue", activity.c.issue_id, activity.c.id)
Index("ix_messages_changes", messages.c.issue_id, messages.c.change_seq)

notifications = Table(
    "notifications",
    metadata,
    _id(),
    _org(),
    Column("agent_id", String(32), ForeignKey("agents.id"), nullable=False),
    Column("kind", String(16), nullable=False),  # mention
    Column("issue_id", String(32), ForeignKey("issues.id"), nullable=False),
    Column("message_id", String(32), ForeignKey("messages.id"), nullable=False),
    Column("actor_id", String(32)),
    Column("created_at", UTCDateTime, nullable=False),
    Column("read_at", UTCDateTime),
    UniqueConstraint("agent_id", "message_id", "kind"),
)
Index(
    "ix_notifications_agent", notifications.c.org_id, notifications.c.agent_id, notifications.c.id
)
Index(
    "ix_notifications_issue",
    notifications.c.agent_id,
    notifications.c.kind,
    notifications.c.issue_id,
)

canned_responses = Table(
    "canned_responses",
    metadata,
    _id(),
    _org(),
    # None for the organization's templates; the agent's id for personal ones.
    Column("owner_agent_id", String(32), ForeignKey("agents.id")),
    Column("title", String(200), nullable=False),
    Column("shortcut", String(64)),
    Column("body", Text, nullable=False),
    Column("tags", JSON, nullable=False, default=list),
    Column("created_by", String(32), ForeignKey("agents.id")),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)
Index("ix_canned_responses_org", canned_responses.c.org_id, canned_responses.c.owner_agent_id)

redaction_patterns = Table(
    "redaction_patterns",
    metadata,
    _id(),
    _org(),
    Column("name", String(100), nullable=False),
    Column("pattern", Text, nullable=False),
    Column("created_by", String(32), ForeignKey("agents.id")),
    Column("created_at", UTCDateTime, nullable=False),
    UniqueConstraint("org_id", "name"),
)

credentials = Table(
    "credentials",
    metadata,
    _id(),
    _org(),
    Column("kind", String(16), nullable=False),  # session | api | customer
    Column("all_issues", Boolean, nullable=False, default=False),
    Column("subject_id", String(32), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("name", String(200)),
    Column("created_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime),
    Column("revoked_at", UTCDateTime),
)
Index("ix_credentials_subject", credentials.c.org_id, credentials.c.subject_id)

# The Issues a customer token grants, when it grants only some (see CustomerPrincipal).
customer_grants = Table(
    "customer_grants",
    metadata,
    _org(),
    Column("credential_id", String(32), ForeignKey("credentials.id"), primary_key=True),
    Column("issue_id", String(32), ForeignKey("issues.id"), primary_key=True),
)

# Conversations started without an account, by the client's idempotency key: a
# retry is answered only to a caller presenting the secret bound to the key when
# it was first used (the key alone is a retry handle, not proof of identity).
conversation_starts = Table(
    "conversation_starts",
    metadata,
    Column("org_id", String(32), ForeignKey("organizations.id"), primary_key=True),
    Column("idempotency_key", String(128), primary_key=True),
    Column("secret_sha256", String(64)),
    Column("customer_id", String(32), ForeignKey("customers.id"), nullable=False),
    Column("issue_id", String(32), ForeignKey("issues.id"), nullable=False),
    Column("message_id", String(32), ForeignKey("messages.id"), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
)

# How each organization's chat widget looks, and the secret its host apps sign
# Customer identities with (absent until an admin creates one).
widget_settings = Table(
    "widget_settings",
    metadata,
    Column("org_id", String(32), ForeignKey("organizations.id"), primary_key=True),
    Column("position", String(8), nullable=False),
    Column("color", String(7), nullable=False),
    Column("title", String(80), nullable=False),
    Column("greeting", String(300), nullable=False),
    Column("allowed_sites", Text),  # a JSON list of origins that may frame the chat
    Column("identity_secret", String(128)),
    Column("secret_rotated_at", UTCDateTime),
    Column("updated_at", UTCDateTime, nullable=False),
)

# Files carried by messages. Sender, room, kind and time are the message's.
attachments = Table(
    "attachments",
    metadata,
    _id(),
    _org(),
    Column("issue_id", String(32), ForeignKey("issues.id"), nullable=False),
    Column("message_id", String(32), ForeignKey("messages.id"), nullable=False),
    Column("position", Integer, nullable=False),  # order among the message's files
    Column("filename", String(255), nullable=False),
    Column("content_type", String(128), nullable=False),
    Column("size", BigInteger, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
)
Index("ix_attachments_issue", attachments.c.org_id, attachments.c.issue_id, attachments.c.id)
Index("ix_attachments_message", attachments.c.message_id)
Index("ix_attachments_blob", attachments.c.org_id, attachments.c.sha256)

# Transcripts filed on resolution: one version per resolution, per room and format.
transcripts = Table(
    "transcripts",
    metadata,
    _id(),
    _org(),
    Column("issue_id", String(32), ForeignKey("issues.id"), nullable=False),
    Column("resolution_id", String(32), nullable=False),
    Column("version", Integer, nullable=False),
    Column("room", String(8), nullable=False),
    Column("format", String(8), nullable=False),
    Column("filename", String(255), nullable=False),
    Column("content_type", String(128), nullable=False),
    Column("size", BigInteger, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("resolved_at", UTCDateTime, nullable=False),
    # The room's last sequence number at the resolution: a re-rendered version
    # (after a redaction) shows the room up to here, as the first rendering did.
    Column("upto_seq", Integer, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    UniqueConstraint("issue_id", "resolution_id", "room", "format"),
)
Index("ix_transcripts_issue", transcripts.c.org_id, transcripts.c.issue_id, transcripts.c.version)
Index("ix_transcripts_blob", transcripts.c.org_id, transcripts.c.sha256)

# The outbox: work to do after a commit, written in the same transaction as the
# change that calls for it, so it survives a crash and is retried until done.
jobs = Table(
    "jobs",
    metadata,
    _id(),
    _org(),
    Column("kind", String(32), nullable=False),
    Column("dedupe_key", String(128), nullable=False, unique=True),
    Column("payload", JSON, nullable=False),
    Column("state", String(8), nullable=False),  # pending | done | failed
    Column("attempts", Integer, nullable=False, default=0),
    Column("run_after", UTCDateTime, nullable=False),
    Column("locked_until", UTCDateTime),
    Column("last_error", Text),
    Column("created_at", UTCDateTime, nullable=False),
    Column("finished_at", UTCDateTime),
)
Index("ix_jobs_due", jobs.c.state, jobs.c.run_after)

# -- channels and bots -------------------------------------------------------------

# An organization's setup of one channel (email, SMS, video). `config` is shown to
# admins; `secrets` holds the write-only values, encrypted (see storage/secrets.py).
channel_settings = Table(
    "channel_settings",
    metadata,
    Column("org_id", String(32), ForeignKey("organizations.id"), primary_key=True),
    Column("channel", String(16), primary_key=True),
    Column("enabled", Boolean, nullable=False, default=True),
    Column("config", JSON, nullable=False, default=dict),
    Column("secrets", Text),
    Column("updated_at", UTCDateTime, nullable=False),
)

# One outgoing message on one channel to one recipient, and what became of it.
deliveries = Table(
    "deliveries",
    metadata,
    _id(),
    _org(),
    Column("issue_id", String(32), ForeignKey("issues.id"), nullable=False),
    Column("message_id", String(32), ForeignKey("messages.id"), nullable=False),
    Column("channel", String(16), nullable=False),
    Column("recipient", String(320), nullable=False),
    Column("state", String(16), nullable=False),
    Column("provider_id", String(255)),
    Column("error_code", String(64)),
    Column("error", String(1000)),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    UniqueConstraint("message_id", "channel", "recipient"),
)
Index("ix_deliveries_message", deliveries.c.org_id, deliveries.c.message_id)
Index("ix_deliveries_provider", deliveries.c.org_id, deliveries.c.channel, deliveries.c.provider_id)

# How far each reader has received and read a room (chat's delivered/read marks).
receipts = Table(
    "receipts",
    metadata,
    _org(),
    Column("issue_id", String(32), ForeignKey("issues.id"), primary_key=True),
    Column("room", String(16), primary_key=True),
    Column("reader_kind", String(16), primary_key=True),
    Column("reader_id", String(32), primary_key=True),
    Column("delivered_seq", Integer, nullable=False, default=0),
    Column("read_seq", Integer, nullable=False, default=0),
    Column("updated_at", UTCDateTime, nullable=False),
)

# What ties outside messages to an Issue: email Message-IDs, a phone number's thread.
thread_refs = Table(
    "thread_refs",
    metadata,
    Column("org_id", String(32), ForeignKey("organizations.id"), primary_key=True),
    Column("channel", String(16), primary_key=True),
    Column("ref", String(512), primary_key=True),
    Column("issue_id", String(32), ForeignKey("issues.id"), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
)

# Addresses a channel must not write to (an SMS opt-out, a bouncing mailbox).
contact_blocks = Table(
    "contact_blocks",
    metadata,
    Column("org_id", String(32), ForeignKey("organizations.id"), primary_key=True),
    Column("channel", String(16), primary_key=True),
    Column("address", String(320), primary_key=True),
    Column("reason", String(32), nullable=False),
    Column("detail", String(1000)),
    Column("created_at", UTCDateTime, nullable=False),
)

# An agent's mobile number: colleagues may text them from an Issue's private room.
agent_mobiles = Table(
    "agent_mobiles",
    metadata,
    Column("agent_id", String(32), ForeignKey("agents.id"), primary_key=True),
    _org(),
    Column("number", String(20), nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    UniqueConstraint("org_id", "number"),
)

bots = Table(
    "bots",
    metadata,
    _id(),
    _org(),
    Column("nickname", String(64), nullable=False),
    Column("name", String(200), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("active", Boolean, nullable=False, default=True),
    Column("created_at", UTCDateTime, nullable=False),
    UniqueConstraint("org_id", "nickname"),
)

# Who changed the organization's setup, and every sign-in. Append-only: the
# migration adds triggers that refuse UPDATE and DELETE on both databases.
audit_log = Table(
    "audit_log",
    metadata,
    _id(),
    _org(),
    Column("actor_kind", String(16), nullable=False),  # agent|operator|setup|anonymous
    Column("actor_id", String(32)),
    Column("actor_name", String(200), nullable=False),
    Column("action", String(64), nullable=False),
    Column("target_kind", String(32)),
    Column("target_id", String(32)),
    Column("detail", JSON, nullable=False, default=dict),
    Column("client_address", String(64)),
    Column("created_at", UTCDateTime, nullable=False),
)
Index("ix_audit_log_org", audit_log.c.org_id, audit_log.c.id)

# Video calls from an Issue's room (domain/calls.py). Participants, with their
# connection and join/leave times, are kept with the call as JSON.
calls = Table(
    "calls",
    metadata,
    _id(),
    _org(),
    Column("issue_id", String(32), ForeignKey("issues.id"), nullable=False),
    Column("room", String(16), nullable=False),
    Column("state", String(16), nullable=False),  # ringing | active | ended
    Column("started_by", JSON, nullable=False),
    Column("started_at", UTCDateTime, nullable=False),
    Column("ring_until", UTCDateTime, nullable=False),
    Column("answered_at", UTCDateTime),
    Column("ended_at", UTCDateTime),
    Column("ended_reason", String(16)),  # completed | missed | declined | failed
    Column("participants", JSON, nullable=False, default=list),
    Column("declined_by", JSON, nullable=False, default=list),
)
Index("ix_calls_issue", calls.c.org_id, calls.c.issue_id, calls.c.started_at)
Index("ix_calls_state", calls.c.org_id, calls.c.state)

# An agent's message that left by email: its subject, who it was from and to,
# and the Message-ID it was sent with (replies that name it thread back).
message_emails = Table(
    "message_emails",
    metadata,
    Column("message_id", String(32), ForeignKey("messages.id"), primary_key=True),
    _org(),
    Column("issue_id", String(32), ForeignKey("issues.id"), nullable=False),
    Column("room", String(8), nullable=False),
    Column("subject", String(998)),
    Column("sender", String(320)),
    Column("to_addresses", JSON, nullable=False, default=list),
    Column("cc_addresses", JSON, nullable=False, default=list),
    Column("header_id", String(512)),  # the Message-ID, bare
    Column("created_at", UTCDateTime, nullable=False),
)
Index("ix_message_emails_issue", message_emails.c.org_id, message_emails.c.issue_id)

# Outbound mail kept here instead of leaving when no relay is set up, for an
# admin to read in the console.
captured_mail = Table(
    "captured_mail",
    metadata,
    _id(),
    _org(),
    Column("header_id", String(512), nullable=False),
    Column("sender", String(320), nullable=False),
    Column("recipients", JSON, nullable=False, default=list),
    Column("subject", String(998), nullable=False),
    Column("raw", Text, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    UniqueConstraint("org_id", "header_id"),
)
Index("ix_captured_mail_org", captured_mail.c.org_id, captured_mail.c.id)

# -- bot calls, webhooks and knowledge ---------------------------------------------

# Where signed webhooks go: a registered bot's URL (bot_id set) or an integrator's
# subscription to events. `secrets` holds the active signing secrets, sealed; the
# breaker counts consecutive failures and stays open until `open_until`.
webhook_endpoints = Table(
    "webhook_endpoints",
    metadata,
    _id(),
    _org(),
    Column("bot_id", String(32), ForeignKey("bots.id"), unique=True),
    Column("url", String(2000), nullable=False),
    Column("events", JSON, nullable=False, default=list),
    Column("secrets", Text, nullable=False),
    Column("active", Boolean, nullable=False, default=True),
    Column("failures", Integer, nullable=False, default=0),
    Column("open_until", UTCDateTime),
    Column("created_at", UTCDateTime, nullable=False),
)

# One signed request (and its retries): the delivery log admins read.
webhook_deliveries = Table(
    "webhook_deliveries",
    metadata,
    _id(),
    _org(),
    Column("endpoint_id", String(32), ForeignKey("webhook_endpoints.id"), nullable=False),
    Column("event_type", String(64), nullable=False),
    Column("issue_id", String(32)),
    Column("payload", JSON, nullable=False),
    Column("state", String(16), nullable=False),  # queued | delivered | failed
    Column("attempts", Integer, nullable=False, default=0),
    Column("response_status", Integer),
    Column("last_error", String(2000)),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)
Index("ix_webhook_deliveries_endpoint", webhook_deliveries.c.endpoint_id, webhook_deliveries.c.id)

# An assist bot's suggestion an agent may send to the Customer (once).
bot_suggestions = Table(
    "bot_suggestions",
    metadata,
    Column("message_id", String(32), ForeignKey("messages.id"), primary_key=True),
    _org(),
    Column("issue_id", String(32), ForeignKey("issues.id"), nullable=False),
    Column("text", Text, nullable=False),
    Column("sent_message_id", String(32)),
)

# The Issues a welcome bot serves: `active` until it hands the Customer to a person
# (asked for, it could not help, it failed, or an agent claimed the Issue).
bot_sessions = Table(
    "bot_sessions",
    metadata,
    Column("issue_id", String(32), ForeignKey("issues.id"), primary_key=True),
    _org(),
    Column("bot_id", String(32), ForeignKey("bots.id"), nullable=False),
    Column("state", String(16), nullable=False),  # active | handed_off
    Column("created_at", UTCDateTime, nullable=False),
    Column("handed_off_at", UTCDateTime),
)

# The built-in welcome bot of an organization: what it says first, and the topic
# buttons it offers (each routed to a team).
welcome_settings = Table(
    "welcome_settings",
    metadata,
    Column("org_id", String(32), ForeignKey("organizations.id"), primary_key=True),
    Column("bot_id", String(32), ForeignKey("bots.id"), nullable=False),
    Column("greeting", Text, nullable=False),
    Column("topics", JSON, nullable=False, default=list),
    Column("updated_at", UTCDateTime, nullable=False),
)

# A language-model assist bot (off unless an admin points it at an OpenAI-compatible
# chat-completions endpoint); the API key is sealed in `secrets`.
llm_settings = Table(
    "llm_settings",
    metadata,
    Column("org_id", String(32), ForeignKey("organizations.id"), primary_key=True),
    Column("bot_id", String(32), ForeignKey("bots.id"), nullable=False),
    Column("url", String(2000), nullable=False),
    Column("model", String(200), nullable=False),
    Column("secrets", Text),
    Column("updated_at", UTCDateTime, nullable=False),
)

# Knowledge articles. Full-text search is per database: on SQLite an FTS5 table
# `knowledge_fts` kept by the repository, on PostgreSQL a generated tsvector
# column `search` with a GIN index (both made by the migration).
knowledge_articles = Table(
    "knowledge_articles",
    metadata,
    _id(),
    _org(),
    Column("title", String(200), nullable=False),
    Column("body", Text, nullable=False),
    Column("tags", JSON, nullable=False, default=list),
    Column("team_id", String(32), ForeignKey("teams.id")),
    Column("published", Boolean, nullable=False, default=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)
Index("ix_knowledge_articles_org", knowledge_articles.c.org_id, knowledge_articles.c.id)

# What an inbound email carried besides the text its message shows: the sanitized
# HTML and the folded quote (for the console), the headers that matched it, and
# why it is machine mail. One row per stored mail; the Message-ID plus content
# hash keeps a redelivered copy (a retry, a Cc copy) from being stored twice.
inbound_mails = Table(
    "inbound_mails",
    metadata,
    Column("message_id", String(32), ForeignKey("messages.id"), primary_key=True),
    _org(),
    Column("issue_id", String(32), ForeignKey("issues.id"), nullable=False),
    Column("mail_id", String(512), nullable=False),  # the Message-ID header, bare
    Column("content_hash", String(64), nullable=False),
    Column("sender", String(320), nullable=False),
    Column("recipients", JSON, nullable=False),  # {"to": [...], "cc": [...]}
    Column("subject", String(1000), nullable=False),
    Column("html", Text),  # sanitized
    Column("quoted", Text),  # the folded history and signature
    Column("machine", JSON),  # {"kinds": [...], "reasons": [...]} for machine mail
    Column("original_sha256", String(64)),  # the .eml file kept for agents
    Column("created_at", UTCDateTime, nullable=False),
    UniqueConstraint("org_id", "mail_id", "content_hash"),
)
# What search finds: one entry per Issue (reference, subject, the Customer's
# contact details; room and kind None) and one per message (its room and kind, so
# search applies the visibility rule), each holding the folded words of
# domain/search.py. Written in the transaction of the change it mirrors. The
# migration adds the index itself: an FTS5 table on SQLite, a tsvector column
# with a GIN index on PostgreSQL.
search_entries = Table(
    "search_entries",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    _org(),
    Column("issue_id", String(32), ForeignKey("issues.id"), nullable=False),
    Column("message_id", String(32)),
    Column("room", String(8)),
    Column("kind", String(8)),
    Column("terms", Text, nullable=False),
)
Index("ix_search_entries_issue", search_entries.c.org_id, search_entries.c.issue_id)
Index("ix_search_entries_message", search_entries.c.message_id)

# Each Issue's tags, a row each, beside issues.tags (which keeps their order):
# what a tag view reads, instead of every Issue's list.
issue_tags = Table(
    "issue_tags",
    metadata,
    _org(),
    Column("tag", String(64), nullable=False),
    Column("issue_id", String(32), ForeignKey("issues.id"), nullable=False),
    PrimaryKeyConstraint("org_id", "tag", "issue_id"),
)
Index("ix_issue_tags_issue", issue_tags.c.issue_id)

# What agents keep about a Customer (never shown to the Customer).
customer_notes = Table(
    "customer_notes",
    metadata,
    _id(),
    _org(),
    Column("customer_id", String(32), ForeignKey("customers.id"), nullable=False),
    Column("author_id", String(32), ForeignKey("agents.id")),
    Column("body", Text, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
)
Index(
    "ix_customer_notes_customer",
    customer_notes.c.org_id,
    customer_notes.c.customer_id,
    customer_notes.c.id,
)

# The Customer's satisfaction with a resolved Issue: 1 to 5 and a comment, one per
# Issue (a later rating replaces it).
ratings = Table(
    "ratings",
    metadata,
    Column("issue_id", String(32), ForeignKey("issues.id"), primary_key=True),
    _org(),
    Column("score", Integer, nullable=False),
    Column("comment", Text),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)
Index("ix_ratings_org", ratings.c.org_id, ratings.c.created_at)

# One row: a counter that moves on with every committed write to the tables a
# principal is read from (storage/principal_epoch.py), so that processes keeping
# principals in memory know at once that theirs may be out of date.
principal_epoch = Table(
    "principal_epoch",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("epoch", BigInteger, nullable=False),
)
