"""A real SMTP server for tests of our outbound mail: aiosmtpd on a free local
port, keeping every mail it takes, and told to refuse the next ones with a
4xx or 5xx as a relay would."""

from __future__ import annotations

import email
import email.policy
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


@dataclass
class Received:
    sender: str
    recipients: list[str]
    raw: bytes

    @property
    def mail(self) -> EmailMessage:
        parsed = email.message_from_bytes(self.raw, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        return parsed


@dataclass
class Sink:
    host: str = "127.0.0.1"
    port: int = 0
    received: list[Received] = field(default_factory=list)
    refusals: list[str] = field(default_factory=list)  # answers to the next DATA commands
    sessions: int = 0

    def refuse_next(self, answer: str, times: int = 1) -> None:
        self.refusals.extend([answer] * times)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.sessions += 1
        if self.refusals:
            return self.refusals.pop(0)
        self.received.append(
            Received(envelope.mail_from, list(envelope.rcpt_tos), bytes(envelope.original_content))
        )
        return "250 2.0.0 Ok: queued"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def smtp_sink(*, login: tuple[str, str] | None = None) -> Iterator[Sink]:
    """A running sink; with `login`, it requires AUTH with that user and password
    (over plain SMTP: the test runs on the loopback)."""
    sink = Sink(port=free_port())
    auth: dict[str, Any] = {}
    if login is not None:

        def check(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> Any:
            given = (data.login.decode(), data.password.decode())
            ok = isinstance(data, LoginPassword) and given == login
            return AuthResult(success=ok, handled=False)

        auth = {"authenticator": check, "auth_required": True, "auth_require_tls": False}
    controller = Controller(sink, hostname=sink.host, port=sink.port, **auth)
    controller.start()
    try:
        yield sink
    finally:
        controller.stop()
