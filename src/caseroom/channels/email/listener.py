"""The inbound SMTP listener (aiosmtpd) on the server's event loop.

It takes mail only for what it can store: RCPT accepts an organization's
mailbox or a reply address with a valid token (anything else: 550); a mail over
the size limit is refused with 552, mail that is no mail with 550; on any
refusal nothing is written. A mail is answered 250 only after the transaction
that stored it committed, so a crash after 250 loses nothing; a failure to
store it is a temporary 451 (the sending server tries again). A sender past its
rate is told to come back later (451) before a byte of the mail is read.
STARTTLS is offered when a certificate is set; with an AUTH user set, only a
client that signs in (the relay that forwards to it) may send."""

from __future__ import annotations

import asyncio
import hmac
import logging
import ssl
from typing import Any

from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session
from limits import parse
from limits.aio.strategies import FixedWindowRateLimiter

from caseroom.config import Settings
from caseroom.services.email_inbound import MailIntake, MailRefused
from caseroom.web.limits import limits_storage

log = logging.getLogger(__name__)


class InboundHandler:
    """aiosmtpd's hooks: RCPT, MAIL and DATA."""

    def __init__(self, intake: MailIntake, settings: Settings) -> None:
        self.intake = intake
        self.enabled = settings.limits_enabled
        self.rate = parse(settings.limit_inbound_mail)
        self.limiter = FixedWindowRateLimiter(limits_storage(settings))

    async def handle_MAIL(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        # Bounces come from the null sender: those are counted per connecting host.
        sender = (address or "").strip().strip("<>").lower() or f"<>@{_peer(session)}"
        if self.enabled and not await self.limiter.hit(self.rate, "smtp-sender", sender):
            return "451 4.7.1 Too many mails from this sender; try again later"
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        return "250 OK"

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        try:
            recipient = await self.intake.recipient(address)
        except Exception:
            log.exception("smtp.rcpt_failed")
            return "451 4.3.0 Cannot check this recipient now; try again later"
        if recipient is None:
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(options)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or b""
        try:
            stored = await self.intake.receive(envelope.mail_from, envelope.rcpt_tos, raw)
        except MailRefused as refused:
            log.info("smtp.refused", extra={"code": refused.code, "reason": refused.text})
            return refused.reply
        except Exception:
            log.exception("smtp.store_failed")
            return "451 4.3.0 The mail could not be stored; try again later"
        created = sum(1 for s in stored if s.created)
        return f"250 2.0.0 Stored ({created} new, {len(stored) - created} already here)"


def _peer(session: Session) -> str:
    peer = session.peer
    return str(peer[0]) if isinstance(peer, tuple) and peer else str(peer)


class _Authenticator:
    """AUTH PLAIN/LOGIN against the one user and password in the settings."""

    def __init__(self, user: str, password: str) -> None:
        self.user = user.encode()
        self.password = password.encode()

    def __call__(
        self, server: SMTP, session: Session, envelope: Envelope, mechanism: str, data: Any
    ) -> AuthResult:
        if not isinstance(data, LoginPassword):
            return AuthResult(success=False, handled=False)
        ok = hmac.compare_digest(data.login, self.user) & hmac.compare_digest(
            data.password, self.password
        )
        return AuthResult(success=bool(ok), handled=False)


def tls_context(settings: Settings) -> ssl.SSLContext | None:
    if settings.smtp_tls_cert is None:
        return None
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(settings.smtp_tls_cert, settings.smtp_tls_key)
    return context


async def start_listener(
    intake: MailIntake, settings: Settings, *, port: int | None = None
) -> asyncio.Server:
    """Listen on `smtp_host`:`port` (default `smtp_port`; 0 picks a free one)."""
    handler = InboundHandler(intake, settings)
    context = tls_context(settings)
    auth = None
    if settings.smtp_auth_user:
        auth = _Authenticator(settings.smtp_auth_user, settings.smtp_auth_password or "")
    loop = asyncio.get_running_loop()

    def factory() -> SMTP:
        return SMTP(
            handler,
            data_size_limit=settings.smtp_max_message_bytes,
            enable_SMTPUTF8=True,  # addresses in any script (RFC 6531)
            hostname=settings.smtp_hostname,
            ident="caseroom",
            tls_context=context,
            timeout=settings.smtp_timeout_seconds,
            authenticator=auth,
            auth_required=auth is not None,
            # A relay on the same host may sign in without TLS; elsewhere, set a cert.
            auth_require_tls=context is not None,
            loop=loop,
        )

    chosen = settings.smtp_port if port is None else port
    return await loop.create_server(factory, host=settings.smtp_host, port=chosen or 0)


def bound_port(server: asyncio.Server) -> int:
    return int(server.sockets[0].getsockname()[1])
