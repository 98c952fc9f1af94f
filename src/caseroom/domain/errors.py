"""Typed domain errors. The web layer maps each class to one HTTP status."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """Base of every error a use case raises on purpose."""

    code = "domain-error"
    title = "Request could not be completed"

    def __init__(self, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra


class NotAuthenticated(DomainError):
    code = "not-authenticated"
    title = "Authentication required"


class Forbidden(DomainError):
    code = "forbidden"
    title = "Not allowed"


class NotFound(DomainError):
    """Raised both for missing records and for records the principal may not see,
    so that ids of other tenants or rooms are never confirmed."""

    code = "not-found"
    title = "Not found"


class Gone(DomainError):
    """Something that existed and has ended for good (an expired link)."""

    code = "gone"
    title = "No longer available"


class InvalidInput(DomainError):
    code = "invalid-input"
    title = "Invalid input"


class Conflict(DomainError):
    code = "conflict"
    title = "Conflict with the current state"


class IllegalTransition(Conflict):
    code = "illegal-transition"
    title = "Status change not allowed"


class LimitReached(Conflict):
    code = "limit-reached"
    title = "Limit reached"


class RateLimited(DomainError):
    """Too many requests for now; `retry_after` says when to try again."""

    code = "rate-limited"
    title = "Too many requests"


class TooLarge(DomainError):
    code = "too-large"
    title = "Request too large"


class MalformedMail(InvalidInput):
    """Bytes that cannot be read as a mail at all (no headers, no sender)."""

    code = "malformed-mail"
    title = "Not a usable mail"


class InvalidPhoneNumber(InvalidInput):
    code = "invalid-phone-number"
    title = "Invalid phone number"
