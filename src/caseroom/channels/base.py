"""The outbound channel port: how a delivery leaves through a provider (an SMTP
relay, an SMS gateway). Each channel is one adapter of `Outbound`, run by the
delivery job, and proven by the one contract suite in tests/contract."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from caseroom.domain.delivery import DeliveryState
from caseroom.domain.model import Channel


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One message to one recipient, as its delivery job hands it to a provider.
    `delivery_id` is stable across retries of the same delivery: adapters use it
    where the provider can recognise a repeat (an idempotency key, a fixed
    Message-ID)."""

    delivery_id: str
    org_id: str
    channel: Channel
    recipient: str
    body: str
    author_name: str
    issue_reference: str
    subject: str
    file_links: tuple[str, ...] = ()
    config: Mapping[str, Any] = field(default_factory=dict)
    secrets: Mapping[str, str] = field(default_factory=dict)
    # What email needs besides: the Issue and room a reply comes back to, the
    # others a private-room mail goes to, the thread's earlier Message-IDs
    # (oldest first), whose name it is sent in, and whether no person wrote it.
    issue_id: str = ""
    file_names: tuple[str, ...] = ()  # the files' names, in the order of file_links
    private: bool = False
    to_also: tuple[str, ...] = ()
    cc: tuple[str, ...] = ()
    thread: tuple[str, ...] = ()
    answers_mail: bool = False  # it answers mail we received (a "Re:" even with no thread)
    organization_name: str = ""
    automatic: bool = False


@dataclass(frozen=True, slots=True)
class Accepted:
    """The provider took the message; `provider_id` names it in later reports."""

    provider_id: str
    state: DeliveryState = DeliveryState.SENT


class DeliveryError(Exception):
    """The provider did not take the message. `permanent`: retrying cannot help
    (an invalid address, a refusal); otherwise the job tries again later."""

    def __init__(self, reason: str, *, permanent: bool, code: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent
        self.code = code


class Outbound(ABC):
    channel: Channel

    @abstractmethod
    async def send(self, message: Outgoing) -> Accepted:
        """Hand `message` to the provider and return what it answered, or raise
        DeliveryError. Runs outside any transaction; may take seconds."""
