"""What became of a message sent out through a channel: its delivery record and
the one-way life of its state."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from caseroom.domain.model import Channel


class DeliveryState(StrEnum):
    QUEUED = "queued"  # waiting for its job
    SENT = "sent"  # the provider (relay, SMS gateway) accepted it
    DELIVERED = "delivered"  # it reached the recipient's device or mailbox
    READ = "read"  # the recipient opened it (where the channel can tell)
    FAILED = "failed"  # refused for good; `error` says why
    BOUNCED = "bounced"  # accepted, then returned by the recipient's side


_PROGRESS = {
    DeliveryState.QUEUED: 0,
    DeliveryState.SENT: 1,
    DeliveryState.DELIVERED: 2,
    DeliveryState.READ: 3,
}
PROBLEMS = frozenset({DeliveryState.FAILED, DeliveryState.BOUNCED})


def advances(current: DeliveryState, new: DeliveryState) -> bool:
    """Whether a report of `new` moves a delivery in `current` forward. Reports
    arrive late and out of order (a provider's "sent" after its "delivered"), so
    a state never moves back; a failure counts only before the message arrived,
    and nothing follows one."""
    if current in PROBLEMS or new == current:
        return False
    if new in PROBLEMS:
        return current in (DeliveryState.QUEUED, DeliveryState.SENT)
    return _PROGRESS[new] > _PROGRESS[current]


@dataclass(frozen=True, slots=True)
class Delivery:
    id: str
    org_id: str
    issue_id: str
    message_id: str
    channel: Channel
    recipient: str
    state: DeliveryState
    created_at: datetime
    updated_at: datetime
    provider_id: str | None = None
    error_code: str | None = None
    error: str | None = None


@dataclass(frozen=True, slots=True)
class Receipt:
    """How far one reader has received and read a room."""

    issue_id: str
    reader_kind: str
    reader_id: str
    delivered_seq: int
    read_seq: int
