"""The settings reference in docs/deploying.md, generated from `config.Settings`.

A setting's text is its `Field(description=...)` or, for the settings declared
without one, the entry below. `python -m caseroom.settings_doc docs/deploying.md`
rewrites the table between the markers; a test fails when a setting has no text
or the table is out of date."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

from pydantic.fields import FieldInfo

from caseroom.config import Settings

BEGIN, END = "<!-- settings:begin -->", "<!-- settings:end -->"
ENV_PREFIX = "CASEROOM_"

DESCRIPTIONS: dict[str, str] = {
    "broker_prefix": "prefix of every Redis channel and key this deployment uses",
    "host": "address `caseroom serve` listens on (0.0.0.0 in a container)",
    "port": "port `caseroom serve` listens on",
    "public_url": "the address people and providers reach this server at: SMS webhook "
    "signatures are checked against it, and SMS status callbacks are sent to it",
    "data_dir": "where files are kept (blobs under it unless `BLOB_DIR` is set)",
    "session_ttl_hours": "lifetime of a console sign-in",
    "password_min_chars": "shortest password an agent may set",
    "invite_ttl_hours": "how long an agent's invitation link stays valid",
    "customer_token_ttl_days": "lifetime of a customer token",
    "cookie_secure": "mark cookies Secure: set true when served over HTTPS",
    "identity_token_leeway_seconds": "clock skew allowed when checking identity tokens",
    "identity_secret_bytes": "size of a newly generated widget identity secret",
    "max_request_bytes": "largest request body outside uploads (413 above)",
    "max_message_chars": "longest message",
    "page_size_default": "items per page when the client does not ask",
    "page_size_max": "most items per page a client may ask for",
    "mention_suggestions_max": "agents suggested while typing @",
    "canned_responses_max": "canned responses per organization, and per agent for personal ones",
    "canned_tags_max": "tags on one canned response",
    "redaction_patterns_max": "redaction patterns per organization",
    "redaction_pattern_max_chars": "longest redaction pattern",
    "redaction_secrets_max": "texts an agent may select in one redaction",
    "waiting_amber_seconds": "a Customer's wait for a reply after which the inbox card turns amber",
    "waiting_red_seconds": "a Customer's wait after which the inbox card turns red",
    "max_file_bytes": "largest attachment",
    "max_files_per_message": "attachments on one message",
    "max_filename_chars": "longest attachment name",
    "file_link_ttl_days": "how long a link to a file in an email or text message opens it",
    "upload_part_overhead_bytes": "multipart framing allowed per part in an upload request",
    "job_poll_seconds": "how often the job worker looks for due jobs (it is also woken on commit)",
    "job_lease_seconds": "how long a claimed job is held before another worker may take it",
    "job_max_attempts": "attempts before a job is marked failed",
    "job_retry_base_seconds": "first retry delay of a failed job; doubles each attempt",
    "job_retry_max_seconds": "longest retry delay",
    "transcript_font_dir": "folder with the DejaVu fonts for PDF transcripts",
    "ws_heartbeat_seconds": "websocket ping interval (a proxy's read timeout must be longer)",
    "ws_queue_max": "events queued for one slow websocket before it is told to resync",
    "ws_max_sends_in_flight": "unacknowledged sends one websocket may have",
    "ws_replay_batch": "messages per batch when a websocket catches up",
    "ws_signals_per_second": "video call signaling frames a websocket may send per second",
    "ws_signal_burst": "video call signaling frames a websocket may send at once",
    "call_ring_seconds": "how long a video call rings before it is missed",
    "call_max_participants": "participants in one video call (a mesh: keep it small)",
    "call_turn_credential_seconds": "lifetime of the TURN credential minted for each call",
    "call_rejoin_grace_seconds": "how long a dropped participant may take to rejoin a call",
    "ws_compression": "per-message deflate on websockets (costs CPU and memory per connection)",
    "gc_thresholds": "the server process's garbage collector thresholds, as JSON: [10000,20,20]",
    "db_pool_size": "database connections kept open (as many more may open under load)",
    "db_group_max": "message sends that may share one transaction",
    "db_group_lanes": "group-commit transactions at once on PostgreSQL (SQLite has one writer)",
    "db_group_linger_ms": "on SQLite, under steady load: how long a group waits for more sends",
    "sqlite_busy_timeout_ms": "how long SQLite waits for a lock held by another process",
    "limits_enabled": "the abuse limits below; turn off only behind a proxy that enforces its own",
    "limit_login_per_address": "sign-in attempts per client address",
    "limit_conversation_start": "conversations started per client address",
    "limit_identity_exchange": "identity token exchanges per client address",
    "limit_widget_config": "widget configuration reads per client address",
    "limit_uploads": "uploads per client address",
    "limit_per_token": "requests per API token, customer token or console session",
    "limit_websocket_connects": "new websocket connections per client address",
    "limit_websocket_frames": "frames one websocket connection may send",
    "limit_webhooks": "a provider's webhook calls (SMS in, delivery reports) per client address",
}


def description(name: str, field: FieldInfo) -> str | None:
    return field.description or DESCRIPTIONS.get(name)


def undocumented() -> list[str]:
    return [n for n, f in Settings.model_fields.items() if not description(n, f)]


def _default(field: FieldInfo) -> str:
    value: Any = field.get_default(call_default_factory=True)
    if value is None:
        return "unset"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, list | tuple):
        return json.dumps(list(value))
    return str(value)


def render() -> str:
    rows = ["| Variable | Default | What it does |", "| --- | --- | --- |"]
    for name, field in Settings.model_fields.items():
        text = (description(name, field) or "**undocumented**").replace("|", "\\|")
        default = _default(field).replace("|", "\\|")
        rows.append(f"| `{ENV_PREFIX}{name.upper()}` | `{default}` | {text} |")
    return "\n".join(rows)


def rewrite(document: str) -> str:
    pattern = re.compile(re.escape(BEGIN) + r".*?" + re.escape(END), re.DOTALL)
    if not pattern.search(document):
        raise ValueError(f"no {BEGIN} ... {END} block in the document")
    return pattern.sub(lambda _: f"{BEGIN}\n{render()}\n{END}", document)


def main(argv: list[str]) -> int:
    missing = undocumented()
    if missing:
        print("settings without a description: " + ", ".join(missing), file=sys.stderr)
        return 1
    for path in map(Path, argv):
        path.write_text(rewrite(path.read_text()))
    if not argv:
        print(render())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
