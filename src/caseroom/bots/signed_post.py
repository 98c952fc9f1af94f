"""One signed POST to a bot or webhook receiver, with the safety rules: only
public addresses (unless the operator allows others), a timeout, no redirects,
and an answer no longer than the limit."""

from __future__ import annotations

import asyncio
import socket
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

import httpx

from caseroom.domain.webhooks import first_refused, signed_headers

# Statuses worth trying again: the receiver may answer later.
_TEMPORARY = frozenset({408, 425, 429})


@dataclass(frozen=True, slots=True)
class Limits:
    timeout_seconds: float
    max_response_bytes: int
    allow_private: bool


@dataclass(frozen=True, slots=True)
class Answer:
    status: int
    body: bytes


class PostFailed(Exception):
    """The receiver did not take the request; `permanent` when trying again is useless."""

    def __init__(self, reason: str, *, status: int | None = None, permanent: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status
        self.permanent = permanent


async def _addresses(host: str, port: int) -> list[str]:
    loop = asyncio.get_running_loop()
    try:
        found = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as error:
        raise PostFailed(f"{host} does not resolve: {error}") from None
    return [str(info[4][0]) for info in found]


async def check_destination(url: str, limits: Limits) -> None:
    """Refuse a URL whose host resolves to an address a delivery must not reach."""
    if limits.allow_private:
        return
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    refused = first_refused(await _addresses(parts.hostname or "", port))
    if refused is not None:
        raise PostFailed(
            f"{parts.hostname} resolves to {refused}, a private, loopback or link-local "
            "address (an operator may allow those: CASEROOM_WEBHOOK_ALLOW_PRIVATE_URLS)",
            permanent=True,
        )


async def post_signed(
    client: httpx.AsyncClient,
    url: str,
    *,
    delivery_id: str,
    body: str,
    secrets: tuple[str, ...],
    at: datetime,
    limits: Limits,
) -> Answer:
    """POST `body` signed under `delivery_id`; the 2xx answer, or PostFailed."""
    await check_destination(url, limits)
    headers = signed_headers(delivery_id, at, body, secrets)
    try:
        async with (
            asyncio.timeout(limits.timeout_seconds),
            client.stream(
                "POST",
                url,
                content=body.encode(),
                headers=headers,
                timeout=limits.timeout_seconds,
                follow_redirects=False,
            ) as response,
        ):
            answer = bytearray()
            async for chunk in response.aiter_bytes():
                answer.extend(chunk)
                if len(answer) > limits.max_response_bytes:
                    raise PostFailed(
                        f"the answer is longer than {limits.max_response_bytes} bytes",
                        status=response.status_code,
                    )
    except (httpx.TimeoutException, TimeoutError):
        raise PostFailed(f"no answer within {limits.timeout_seconds:g} seconds") from None
    except httpx.HTTPError as error:
        raise PostFailed(f"{type(error).__name__}: {error}") from None
    status = response.status_code
    if status >= 300:
        permanent = 400 <= status < 500 and status not in _TEMPORARY
        raise PostFailed(f"the receiver answered {status}", status=status, permanent=permanent)
    return Answer(status, bytes(answer))
