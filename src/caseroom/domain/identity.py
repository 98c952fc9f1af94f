"""Identity tokens: how a host app vouches for a Customer it has signed in.

The app signs a JWT (HS256) with the organization's identity secret:

    {"external_id": "u-481", "name": "Kim Lee", "email": "kim@example.com",
     "iat": 1767225600, "exp": 1767226200}

`external_id`, `name`, `iat` and `exp` are required; `email` and `phone` are
optional. An `aud` claim, if present, must be the organization's slug. Times are
checked here against the caller's clock, so the rules are the same in tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt

from caseroom.domain.errors import NotAuthenticated

ALGORITHM = "HS256"
_REQUIRED = ("external_id", "name", "iat", "exp")
_TEXT_CLAIMS = ("external_id", "name", "email", "phone")
CLAIM_MAX_CHARS = 320


@dataclass(frozen=True, slots=True)
class IdentityClaims:
    external_id: str
    name: str
    email: str | None
    phone: str | None
    issued_at: datetime
    expires_at: datetime


def sign_identity_token(claims: dict[str, Any], secret: str) -> str:
    """What a host app does (shown here for tests, the demo and the docs)."""
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


def read_identity_token(
    token: str,
    secret: str,
    *,
    audience: str,
    now: datetime,
    max_age: timedelta,
    leeway: timedelta,
) -> IdentityClaims:
    """The claims of a genuine, current token, or NotAuthenticated saying why not."""
    try:
        claims = jwt.decode(
            token,
            secret,
            algorithms=[ALGORITHM],
            options={
                "verify_exp": False,
                "verify_iat": False,
                "verify_nbf": False,
                "verify_aud": False,
            },
        )
    except jwt.InvalidSignatureError:
        raise NotAuthenticated("the identity token's signature is not valid") from None
    except jwt.InvalidTokenError:
        raise NotAuthenticated("the identity token is malformed (expected a JWT)") from None
    return _check_claims(claims, audience=audience, now=now, max_age=max_age, leeway=leeway)


def _check_claims(
    claims: dict[str, Any],
    *,
    audience: str,
    now: datetime,
    max_age: timedelta,
    leeway: timedelta,
) -> IdentityClaims:
    missing = [name for name in _REQUIRED if claims.get(name) in (None, "")]
    if missing:
        raise NotAuthenticated(f"the identity token lacks the claim(s) {', '.join(missing)}")
    for name in _TEXT_CLAIMS:
        value = claims.get(name)
        if value is not None and (not isinstance(value, str) or len(value) > CLAIM_MAX_CHARS):
            raise NotAuthenticated(f"the identity token's {name} claim must be a short string")
    if "aud" in claims and claims["aud"] != audience:
        raise NotAuthenticated("the identity token was made for another organization")
    issued_at, expires_at = _instant(claims, "iat"), _instant(claims, "exp")
    if expires_at <= now - leeway:
        raise NotAuthenticated("the identity token has expired")
    if issued_at > now + leeway:
        raise NotAuthenticated("the identity token is issued in the future (check the clock)")
    if expires_at - issued_at > max_age:
        raise NotAuthenticated(
            f"the identity token lives longer than {int(max_age.total_seconds())} seconds"
        )
    return IdentityClaims(
        external_id=claims["external_id"].strip(),
        name=claims["name"].strip(),
        email=claims.get("email"),
        phone=claims.get("phone"),
        issued_at=issued_at,
        expires_at=expires_at,
    )


def _instant(claims: dict[str, Any], name: str) -> datetime:
    value = claims[name]
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise NotAuthenticated(f"the identity token's {name} claim must be a number of seconds")
    try:
        return datetime.fromtimestamp(value, tz=UTC)
    except (OverflowError, OSError, ValueError):
        raise NotAuthenticated(f"the identity token's {name} claim is out of range") from None
