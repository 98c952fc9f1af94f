"""The ICE servers a call's browsers use, from the organization's video settings.

TURN credentials follow the TURN REST convention (coturn's `use-auth-secret`):
the username is `<expiry unix time>:<name>` and the password is
base64(HMAC-SHA1(shared secret, username)). The TURN server recomputes the
password from the secret it shares with caseroom and refuses an expired
username, so a page only ever holds a credential that stops working soon."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any


@dataclass(frozen=True, slots=True)
class TurnCredential:
    username: str
    password: str
    expires_at: datetime


def turn_credential(secret: str, name: str, *, expires_at: datetime) -> TurnCredential:
    username = f"{int(expires_at.timestamp())}:{name}"
    digest = hmac.new(secret.encode(), username.encode(), hashlib.sha1).digest()
    return TurnCredential(username, base64.b64encode(digest).decode(), expires_at)


def urls(value: Any) -> list[str]:
    """A setting's URLs: separated by commas, spaces or new lines."""
    if not isinstance(value, str):
        return []
    return [u for u in re.split(r"[\s,]+", value) if u]


def ice_servers(
    config: dict[str, Any],
    turn_secret: str | None,
    name: str,
    *,
    now: datetime,
    ttl: timedelta,
) -> list[dict[str, Any]]:
    """RTCIceServer entries: STUN as configured, TURN with a credential minted now
    for `name` (none without a secret: TURN needs one). No settings: no servers,
    and browsers on one network still connect by their host candidates."""
    servers: list[dict[str, Any]] = []
    if stun := urls(config.get("stun_urls")):
        servers.append({"urls": stun})
    turn = urls(config.get("turn_urls"))
    if turn and turn_secret:
        credential = turn_credential(turn_secret, name, expires_at=now + ttl)
        servers.append(
            {"urls": turn, "username": credential.username, "credential": credential.password}
        )
    return servers
