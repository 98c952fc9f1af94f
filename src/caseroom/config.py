"""Settings: the only place configuration enters the program (env prefix CASEROOM_)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CASEROOM_", extra="ignore")

    database_url: str = Field(
        default="sqlite:///./caseroom.db",
        description="sqlite:///path (the embedded default) or postgresql+asyncpg://user@host/db",
    )
    broker_url: str | None = Field(
        default=None, description="None or memory:// for in-process; redis://host:port/db"
    )
    broker_prefix: str = "caseroom:"
    host: str = "127.0.0.1"
    port: int = 8000
    public_url: str = "http://127.0.0.1:8000"
    data_dir: Path = Path("./data")

    # Channel secrets (SMTP passwords, SMS tokens) are stored encrypted with this
    # Fernet key; without one, a key is made in <data_dir>/secret.key on first start.
    secret_key: str | None = Field(default=None, description="Fernet key (urlsafe base64)")
    secret_key_previous: str | None = Field(
        default=None, description="an older key still read while secrets are rotated"
    )

    # Sessions and cookies
    session_ttl_hours: int = 24 * 14
    auth_cache_seconds: float = Field(
        default=60.0,
        ge=0,
        description="how long a process keeps an authenticated token in memory; any change "
        "made through caseroom (revoked, deactivated, new role) applies on the next request "
        "in every process; one made by hand in the database, within this time; 0: read the "
        "credential on every request",
    )
    customer_token_ttl_days: int = 90
    cookie_secure: bool = False
    hsts_seconds: int = Field(
        default=180 * 24 * 3600, ge=0, description="HSTS max-age on responses over TLS; 0: none"
    )
    password_min_chars: int = 10
    # Argon2id, RFC 9106's second recommended set by default: raise them on a big
    # server, lower them only where memory is short (each sign-in takes this much).
    password_hash_time_cost: int = Field(
        default=3, ge=1, description="Argon2id passes over memory per password hash"
    )
    password_hash_memory_kib: int = Field(
        default=64 * 1024, ge=64, description="Argon2id memory per password hash, in KiB"
    )
    invite_ttl_hours: int = 72  # how long an invitation link sets a password

    # Web widget: identity tokens host apps sign for their signed-in Customers
    identity_token_max_age_seconds: int = Field(
        default=24 * 3600, description="the longest exp - iat an identity token may span"
    )
    identity_token_leeway_seconds: int = 60
    identity_secret_bytes: int = 32

    # Request and message limits
    max_request_bytes: int = 1_000_000
    max_message_chars: int = 20_000
    page_size_default: int = 50
    page_size_max: int = 200
    search_candidates: int = Field(
        default=500,
        ge=1,
        description="words matching more Issues than this rank among the newest this "
        "many (scoring every match of a common word is slow); fewer match exactly",
    )

    # Agent tools
    mention_suggestions_max: int = 10
    canned_responses_max: int = 1000  # per organization, and per agent for personal ones
    canned_tags_max: int = 20
    redaction_patterns_max: int = 50
    redaction_pattern_max_chars: int = 500
    redaction_secrets_max: int = 20  # texts an agent selects in one redaction

    # Inbox: how long a Customer may wait for an agent's reply before the card warns
    waiting_amber_seconds: int = 5 * 60
    waiting_red_seconds: int = 10 * 60

    # Attachments: announced by GET /api/v1/limits, enforced while the upload streams
    max_file_bytes: int = 25 * 1024 * 1024
    max_files_per_message: int = 10
    max_filename_chars: int = 180
    upload_part_overhead_bytes: int = 16 * 1024
    blob_dir: Path | None = Field(default=None, description="default: <data_dir>/blobs")
    retention_days: int | None = Field(
        default=None,
        ge=1,
        description="delete Issues that ended and did not change for this many days; "
        "unset: keep everything",
    )
    # Email and SMS carry files as signed links to <public_url>/f/..., valid this long
    file_link_ttl_days: int = Field(default=7, ge=1, le=365)

    # Background jobs (transcripts): a durable table, polled and nudged after commit
    job_poll_seconds: float = 5.0
    job_lease_seconds: float = 300.0
    job_max_attempts: int = 8
    job_retry_base_seconds: float = 5.0
    job_retry_max_seconds: float = 900.0

    # Bots and webhooks (docs/bots.md): signed deliveries, run as jobs
    webhook_timeout_seconds: float = Field(
        default=5.0, description="how long a bot or webhook receiver has to answer"
    )
    webhook_max_response_bytes: int = Field(
        default=64 * 1024, description="a longer answer is refused as a failure"
    )
    webhook_max_attempts: int = Field(
        default=4, description="tries before a delivery fails (a welcome bot hands off)"
    )
    webhook_breaker_failures: int = Field(
        default=5, description="consecutive failures that open an endpoint's circuit breaker"
    )
    webhook_breaker_open_seconds: float = Field(
        default=300.0, description="how long an open breaker refuses before one trial"
    )
    webhook_allow_private_urls: bool = Field(
        default=False,
        description="allow URLs resolving to private, loopback or link-local addresses",
    )
    bot_calls_per_minute: int = Field(default=30, description="calls of one bot per minute")
    bot_context_messages: int = Field(default=50, description="the latest messages a call carries")
    bot_reply_token_minutes: int = Field(
        default=30, description="how long a bot may answer later through the API"
    )

    # Transcripts
    transcript_font_dir: Path = Path("/usr/share/fonts/truetype/dejavu")

    # Realtime
    ws_heartbeat_seconds: float = 20.0
    ws_queue_max: int = 1000
    ws_max_sends_in_flight: int = 64
    ws_replay_batch: int = 500
    # Video calls (docs/video.md): how long a call rings, how many take part (a
    # mesh: each sends to every other), and how long a minted TURN credential lasts
    call_ring_seconds: float = 45.0
    call_max_participants: int = 4
    call_turn_credential_seconds: int = 3600
    # A participant whose socket dropped stays in the call this long, so that the
    # page can reconnect and rejoin it
    call_rejoin_grace_seconds: float = 20.0
    # Call signaling (offers, answers, ICE candidates) a socket may send: a steady
    # rate per second and a burst
    ws_signals_per_second: float = 20.0
    ws_signal_burst: int = 200
    # permessage-deflate costs CPU on every frame and a compressor (hundreds of KB)
    # per connection, for chat frames of a few hundred bytes.
    ws_compression: bool = False
    ws_max_frame_bytes: int = Field(
        default=256 * 1024, ge=4096, description="the largest frame a websocket client may send"
    )

    # Garbage collector thresholds of the server process (Python's are 700, 10, 10).
    gc_thresholds: tuple[int, int, int] = (10_000, 20, 20)

    # Database pool
    db_pool_size: int = 10
    # Group commit: at most this many message sends share one transaction.
    db_group_max: int = 100
    # Groups stored at once on PostgreSQL, one per lane (SQLite has one writer: one lane).
    db_group_lanes: int = 4
    # SQLite, under steady load: a group waits this long for more sends before
    # it is stored (fewer, larger transactions for a little latency).
    db_group_linger_ms: float = 1.0
    sqlite_busy_timeout_ms: int = 30_000

    # Operations: logs, metrics, readiness (docs/deploying.md)
    log_level: str = Field(default="INFO", description="DEBUG, INFO, WARNING or ERROR")
    log_format: Literal["json", "console"] = Field(
        default="json", description="json: one JSON object a line; console: for a terminal"
    )
    access_log: bool = Field(default=True, description="log one line per HTTP request")
    metrics_enabled: bool = Field(default=True, description="serve Prometheus /metrics")
    shutdown_timeout_seconds: int = Field(
        default=25,
        description="after SIGTERM, how long requests in flight may take before the process exits",
    )
    readiness_timeout_seconds: float = Field(
        default=2.0, description="how long /readyz waits for the database and the broker"
    )
    trusted_proxies: list[str] = Field(
        default_factory=list,
        description="addresses or networks (CIDR) whose X-Forwarded-For is believed, "
        'as JSON: ["10.0.0.0/8"]',
    )

    # SMS (a Twilio-compatible provider; each organization's number and account
    # are its channel settings). Webhook signatures are checked against public_url.
    sms_timeout_seconds: float = Field(
        default=15.0, description="how long a request to the SMS provider may take"
    )
    sms_demo_provider: bool = Field(
        default=False,
        description="serve a built-in stand-in for the SMS provider at /demo-sms "
        "(make run turns it on for the demo organization; never in production)",
    )

    # Abuse limits ("N/period" with second, minute, hour or day), counted in Redis
    # when broker_url is redis, else in this process
    limits_enabled: bool = True
    login_failures_free: int = Field(
        default=3, description="wrong sign-ins per account answered without delay"
    )
    login_delay_base_seconds: int = Field(
        default=1, description="the first delay after the free failures; doubles each time"
    )
    login_lock_after: int = Field(default=10, description="wrong sign-ins per account that lock it")
    login_address_failures_free: int = Field(
        default=10, description="wrong sign-ins from one address answered without delay"
    )
    login_address_lock_after: int = Field(
        default=50, description="wrong sign-ins from one address that lock sign-in from it"
    )
    login_lock_seconds: int = Field(default=15 * 60, description="how long a lock lasts")
    login_failure_window_seconds: int = Field(
        default=60 * 60, description="how long a wrong sign-in is remembered"
    )
    limit_login_per_address: str = "30/minute"
    limit_conversation_start: str = "10/minute"
    limit_identity_exchange: str = "30/minute"
    limit_widget_config: str = "120/minute"
    limit_uploads: str = "30/minute"
    limit_webhooks: str = "600/minute"
    limit_per_token: str = "600/minute"
    limit_websocket_connects: str = "60/minute"
    limit_websocket_frames: str = "50/second"

    # Inbound email: the SMTP listener `caseroom serve` runs when a port is set
    # (`caseroom smtpd` runs it alone), receiving the organizations' mailboxes
    smtp_port: int | None = Field(default=None, description="listen for inbound mail here")
    smtp_host: str = Field(default="127.0.0.1", description="the address the listener binds")
    smtp_hostname: str | None = Field(
        default=None, description="the name the listener greets with (default: this host's)"
    )
    smtp_max_message_bytes: int = Field(
        default=25 * 1024 * 1024, description="a larger mail is refused with 552"
    )
    smtp_tls_cert: Path | None = Field(default=None, description="PEM file: offer STARTTLS")
    smtp_tls_key: Path | None = Field(default=None, description="PEM file of the cert's key")
    smtp_auth_user: str | None = Field(
        default=None, description="when set, only a client that signs in (AUTH) may send"
    )
    smtp_auth_password: str | None = Field(default=None, description="the AUTH user's password")
    smtp_timeout_seconds: float = Field(
        default=300.0, description="an idle SMTP session is closed after this long"
    )
    limit_inbound_mail: str = Field(
        default="30/minute", description="mails accepted per sender address"
    )

    @property
    def blob_root(self) -> Path:
        return self.blob_dir or self.data_dir / "blobs"

    @property
    def max_upload_request_bytes(self) -> int:
        """The cap on a whole upload request: every file at its limit, the text
        fields, and the multipart framing of each part."""
        parts = self.max_files_per_message + 4
        return (
            self.max_files_per_message * self.max_file_bytes
            + 4 * self.max_message_chars
            + parts * self.upload_part_overhead_bytes
        )
