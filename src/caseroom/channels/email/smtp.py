"""Submitting a mail to the organization's relay with aiosmtplib: plain,
STARTTLS or implicit TLS, with AUTH when a user is set. What the relay answers
becomes a DeliveryError the job understands: a 4xx or a broken connection is
worth another try, a 5xx is final and keeps the server's own words."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import aiosmtplib

from caseroom.channels.base import DeliveryError

DEFAULT_TIMEOUT = 30.0


@dataclass(frozen=True, slots=True)
class Relay:
    host: str
    port: int
    tls: str = "starttls"  # "none", "starttls" (required), "tls" (implicit, port 465)
    user: str | None = None
    password: str | None = None

    @classmethod
    def from_setup(cls, config: Mapping[str, Any], secrets: Mapping[str, str]) -> Relay | None:
        """The relay an email setup names, or None when it names none (mail is
        then kept in the local capture)."""
        host = str(config.get("relay_host") or "").strip()
        if not host:
            return None
        tls = str(config.get("relay_tls") or "starttls").strip().lower()
        tls = {"true": "starttls", "false": "none", "ssl": "tls"}.get(tls, tls)
        if tls not in ("none", "starttls", "tls"):
            raise DeliveryError(
                f"relay_tls must be none, starttls or tls, not {tls!r}",
                permanent=True,
                code="relay-setup",
            )
        default_port = {"none": 25, "starttls": 587, "tls": 465}[tls]
        return cls(
            host=host,
            port=int(config.get("relay_port") or default_port),
            tls=tls,
            user=str(config.get("relay_user") or "") or None,
            password=secrets.get("relay_password") or None,
        )


async def submit(
    relay: Relay,
    raw: bytes,
    *,
    sender: str,
    recipients: Sequence[str],
    seconds: float = DEFAULT_TIMEOUT,
) -> None:
    """Hand `raw` to the relay for `recipients`, or raise DeliveryError. A mail
    some recipients took counts as sent: retrying would repeat it to them."""
    try:
        await aiosmtplib.send(
            raw,
            sender=sender,
            recipients=list(recipients),
            hostname=relay.host,
            port=relay.port,
            use_tls=relay.tls == "tls",
            start_tls=relay.tls == "starttls",
            username=relay.user,
            password=relay.password if relay.user else None,
            timeout=seconds,
        )
    except aiosmtplib.SMTPRecipientsRefused as refused:
        codes = [r.code for r in refused.recipients]
        reasons = "; ".join(f"{r.recipient}: {r.code} {r.message}" for r in refused.recipients)
        raise DeliveryError(
            reasons, permanent=all(c >= 500 for c in codes), code=str(max(codes))
        ) from refused
    except aiosmtplib.SMTPResponseException as answered:
        raise DeliveryError(
            f"{answered.code} {answered.message}".strip(),
            permanent=answered.code >= 500,
            code=str(answered.code),
        ) from answered
    except aiosmtplib.SMTPNotSupported as unsupported:
        raise DeliveryError(
            f"the relay does not support what is set up: {unsupported}",
            permanent=True,
            code="relay-setup",
        ) from unsupported
    except (aiosmtplib.SMTPException, OSError, TimeoutError) as broken:
        raise DeliveryError(
            f"could not reach the relay {relay.host}:{relay.port}: {broken}",
            permanent=False,
            code="connection",
        ) from broken
