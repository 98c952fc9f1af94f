"""Signed, expiring links to one file, for channels that cannot carry files
(email, SMS): the link is the credential, so it names one attachment, ends at a
fixed time and cannot be altered. Stateless: an HMAC-SHA256 over the attachment
id and the expiry, under a key derived from the server's secret key; several
keys verify, the first signs, so the secret key can be rotated."""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass
from datetime import UTC, datetime

_LABEL = b"caseroom file link v1\x00"
_MAC_BYTES = 16  # 128 bits: unforgeable, and short enough for a text message


class LinkInvalid(Exception):
    """Not a link this server signed (altered, truncated, or another key's)."""


class LinkExpired(Exception):
    """A genuine link past its expiry."""


@dataclass(frozen=True, slots=True)
class FileLinkKeys:
    keys: tuple[bytes, ...]

    @classmethod
    def derive(cls, secrets: list[str]) -> FileLinkKeys:
        """Keys of their own, derived from the server's secret keys: a file link
        never reveals or doubles as the key that seals channel secrets."""
        if not secrets:
            raise ValueError("at least one secret is needed")
        return cls(tuple(hashlib.sha256(_LABEL + s.encode()).digest() for s in secrets))


def _mac(key: bytes, payload: str) -> str:
    digest = hmac.new(key, payload.encode(), hashlib.sha256).digest()[:_MAC_BYTES]
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def _base36(value: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        value, rem = divmod(value, 36)
        out = digits[rem] + out
        if not value:
            return out


def sign_link(keys: FileLinkKeys, attachment_id: str, expires_at: datetime) -> str:
    payload = f"{attachment_id}.{_base36(int(expires_at.timestamp()))}"
    return f"{payload}.{_mac(keys.keys[0], payload)}"


def read_link(keys: FileLinkKeys, token: str, now: datetime) -> str:
    """The attachment id a genuine, unexpired link names."""
    attachment_id, _, rest = token.partition(".")
    expiry, _, mac = rest.partition(".")
    payload = f"{attachment_id}.{expiry}"
    if not (attachment_id and expiry and mac) or not any(
        hmac.compare_digest(_mac(key, payload), mac) for key in keys.keys
    ):
        raise LinkInvalid("this link is not valid")
    try:
        expires_at = datetime.fromtimestamp(int(expiry, 36), UTC)
    except (ValueError, OverflowError) as error:
        raise LinkInvalid("this link is not valid") from error
    if now >= expires_at:
        raise LinkExpired("this link has expired")
    return attachment_id
