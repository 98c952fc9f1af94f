"""Harnesses for the outbound channel contract: each adapter of `Outbound` comes
with a way to see what reached the other side and to make that side refuse.
A channel adds its harness here (a real SMTP server, a local HTTP server that
speaks the SMS provider's API) and the whole suite runs over it."""

from __future__ import annotations

from contextlib import ExitStack
from dataclasses import dataclass, field
from typing import Any, Protocol

from caseroom.channels.base import DeliveryError, Outbound
from caseroom.channels.email.outbound import EmailOutbound
from caseroom.channels.sms.twilio import TwilioOutbound
from caseroom.channels.testing import InProcessProvider
from caseroom.domain.model import Channel
from tests.sms_provider import ACCOUNT_SID, AUTH_TOKEN, FakeProvider, fake_provider
from tests.smtp_sink import Sink, smtp_sink


class Harness(Protocol):
    outbound: Outbound
    recipient: str  # an address the far side accepts
    setup: dict[str, Any]  # the Outgoing's config and secrets the adapter needs

    def received(self) -> list[tuple[str, str]]:
        """(recipient, body) of every message the far side has taken, in order."""

    def refuse_next(self, *, permanent: bool) -> None:
        """Make the far side refuse the next message, for good or for now."""


@dataclass
class InProcessHarness:
    outbound: InProcessProvider
    recipient: str = "+14155550100"
    setup: dict[str, Any] = field(default_factory=dict)

    def received(self) -> list[tuple[str, str]]:
        return [(m.recipient, m.body) for m in self.outbound.delivered]

    def refuse_next(self, *, permanent: bool) -> None:
        reason = "unknown recipient" if permanent else "try again later"
        self.outbound.fail_next(DeliveryError(reason, permanent=permanent, code="X1"))


def in_process(stack: ExitStack) -> InProcessHarness:
    return InProcessHarness(InProcessProvider(Channel.SMS))


class _NoCapture:
    async def keep(self, org_id: str, message_id: str, **mail: Any) -> None:
        raise AssertionError("a relay is set up: nothing is captured")


@dataclass
class SmtpHarness:
    """Our email adapter against a real SMTP server, as the organization's relay."""

    sink: Sink
    outbound: EmailOutbound = field(default_factory=lambda: EmailOutbound(_NoCapture()))
    recipient: str = "customer@example.org"
    setup: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        config = {
            "address": "support@desk.example",
            "relay_host": self.sink.host,
            "relay_port": self.sink.port,
            "relay_tls": "none",
        }
        self.setup = {"config": config, "secrets": {}}

    def received(self) -> list[tuple[str, str]]:
        return [
            (recipient, _text(r.mail)) for r in self.sink.received for recipient in r.recipients
        ]

    def refuse_next(self, *, permanent: bool) -> None:
        self.sink.refuse_next("550 5.1.1 no such user" if permanent else "451 4.3.0 try later")


def _text(mail: Any) -> str:
    part = mail.get_body(("plain",))
    return str(part.get_content()).replace("\r\n", "\n") if part is not None else ""


def smtp(stack: ExitStack) -> SmtpHarness:
    return SmtpHarness(stack.enter_context(smtp_sink()))


async def _callback(org_id: str) -> str:
    return f"https://desk.example/api/v1/channels/sms/{org_id}/status"


@dataclass
class TwilioHarness:
    """Our SMS adapter against a local server speaking Twilio's Messages API."""

    provider: FakeProvider
    outbound: TwilioOutbound = field(default_factory=lambda: TwilioOutbound(_callback, timeout=5))
    recipient: str = "+14155550100"
    setup: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        config = {
            "account_sid": ACCOUNT_SID,
            "from_number": "+14155550000",
            "api_base": self.provider.url,
        }
        self.setup = {"config": config, "secrets": {"auth_token": AUTH_TOKEN}}

    def received(self) -> list[tuple[str, str]]:
        return [(form["To"], form["Body"]) for form in self.provider.sent]

    def refuse_next(self, *, permanent: bool) -> None:
        if permanent:
            self.provider.fail_next(400, 21211, "The 'To' number is not a valid phone number.")
        else:
            self.provider.fail_next(503, None, "Service Unavailable")


def twilio(stack: ExitStack) -> TwilioHarness:
    return TwilioHarness(stack.enter_context(fake_provider()))
