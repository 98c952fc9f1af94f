"""Records the storage layer hands to use cases beside the conversation model:
a page of messages, a filed transcript, a credential, a job of the outbox.
They live here so services and the web layer can name them without knowing
storage."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from typing import Any

from caseroom.domain.model import Message, Room
from caseroom.domain.transcript import TranscriptFormat


@dataclass(frozen=True, slots=True)
class Page:
    messages: list[Message]
    has_more: bool


class Waiting(Enum):
    """What storing a message does to the Issue's waiting clock."""

    KEEP = "keep"  # leave it as it is
    START = "start"  # the Customer is waiting from now
    CLEAR = "clear"  # an agent answered


@dataclass(frozen=True, slots=True)
class TranscriptFile:
    id: str
    org_id: str
    issue_id: str
    resolution_id: str
    version: int
    room: Room
    format: TranscriptFormat
    filename: str
    content_type: str
    size: int
    sha256: str
    resolved_at: datetime
    upto_seq: int  # the room's last sequence number at the resolution
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Credential:
    id: str
    org_id: str
    kind: str
    subject_id: str
    all_issues: bool
    name: str | None
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None


JOB_PENDING, JOB_DONE, JOB_FAILED = "pending", "done", "failed"


@dataclass(frozen=True, slots=True)
class Job:
    id: str
    org_id: str
    kind: str
    dedupe_key: str
    payload: dict[str, Any]
    run_after: datetime
    attempts: int = 0
    state: str = JOB_PENDING
    last_error: str | None = None
    created_at: datetime | None = field(default=None, compare=False)
    # The request that caused it, so the job's log lines carry its id too.
    request_id: str | None = field(default=None, compare=False)
