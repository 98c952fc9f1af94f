"""Signed webhooks, pure parts: the Standard Webhooks signature, which addresses a
delivery may reach, and the circuit breaker of an endpoint.

Signing follows the Standard Webhooks convention (`webhook-id`,
`webhook-timestamp`, `webhook-signature`: HMAC-SHA256 over "id.timestamp.body"),
so receivers verify with its reference library. While a secret is rotated, both
active secrets sign and the header carries both signatures."""

from __future__ import annotations

import base64
import ipaddress
import secrets as secrets_module
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from standardwebhooks.webhooks import Webhook

from caseroom.domain.errors import InvalidInput

SECRET_PREFIX = "whsec_"
URL_MAX_CHARS = 2000


def new_secret() -> str:
    """A fresh signing secret in the convention's `whsec_<base64>` form."""
    return SECRET_PREFIX + base64.b64encode(secrets_module.token_bytes(24)).decode()


def check_secret(secret: str) -> str:
    secret = secret.strip()
    try:
        Webhook(secret)
    except Exception:
        raise InvalidInput(
            "a signing secret is `whsec_` followed by base64", field="secret"
        ) from None
    return secret


def signed_headers(
    delivery_id: str, at: datetime, body: str, secrets: Sequence[str]
) -> dict[str, str]:
    """The three headers for `body`, signed with every active secret."""
    signatures = " ".join(Webhook(s).sign(delivery_id, at, body) for s in secrets)
    return {
        "webhook-id": delivery_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": signatures,
        "content-type": "application/json",
    }


def check_url(url: str, *, allow_private: bool = False) -> str:
    """An http(s) URL with a host, not a private address unless allowed; where a
    host name resolves is checked again at each delivery."""
    url = url.strip()
    parts = urlsplit(url)
    if len(url) > URL_MAX_CHARS or parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidInput("give an http:// or https:// URL with a host", field="url")
    if parts.username or parts.password:
        raise InvalidInput("a webhook URL carries no user name or password", field="url")
    try:
        literal = ipaddress.ip_address(parts.hostname.strip("[]"))
    except ValueError:
        return url
    if refused_address(str(literal)) and not allow_private:
        raise InvalidInput(f"{literal} is a private, loopback or link-local address", field="url")
    return url


def refused_address(address: str) -> bool:
    """True for private, loopback, link-local and other non-public addresses, which a
    delivery must not reach unless the operator allows it (the server's own network)."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return not ip.is_global or ip.is_multicast


def first_refused(addresses: Iterable[str]) -> str | None:
    for address in addresses:
        if refused_address(address):
            return address
    return None


@dataclass(frozen=True, slots=True)
class Breaker:
    """An endpoint's circuit breaker: `failures` in a row, open until `open_until`."""

    failures: int = 0
    open_until: datetime | None = None

    def is_open(self, now: datetime) -> bool:
        return self.open_until is not None and now < self.open_until

    def after_success(self) -> Breaker:
        return Breaker()

    def after_failure(self, now: datetime, *, threshold: int, open_for: timedelta) -> Breaker:
        """Count the failure; at `threshold` in a row (or a failed trial after the
        breaker was open) it opens for `open_for`."""
        failures = self.failures + 1
        tripped = failures >= threshold or self.open_until is not None
        return Breaker(failures, now + open_for if tripped else None)


QUEUED, DELIVERED, FAILED = "queued", "delivered", "failed"

# Events an integrator may subscribe an endpoint to.
SUBSCRIBABLE = (
    "issue.created",
    "issue.claimed",
    "issue.resolved",
    "message.created",
    "transcript.filed",
)


@dataclass(frozen=True, slots=True)
class WebhookEndpoint:
    """Where signed requests go: a registered bot's URL (`bot_id`), or an
    integrator's subscription to `events`."""

    id: str
    org_id: str
    url: str
    secrets: tuple[str, ...]  # active signing secrets, newest first
    bot_id: str | None = None
    events: tuple[str, ...] = ()
    active: bool = True
    breaker: Breaker = Breaker()
    created_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class WebhookDelivery:
    id: str  # also the `webhook-id` header: receivers deduplicate by it
    org_id: str
    endpoint_id: str
    event_type: str
    issue_id: str | None
    payload: dict[str, object]
    state: str
    attempts: int
    created_at: datetime
    updated_at: datetime
    response_status: int | None = None
    last_error: str | None = None
