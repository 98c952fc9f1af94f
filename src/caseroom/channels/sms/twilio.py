"""Outbound SMS through a Twilio-compatible provider, with the official SDK.

Each organization's account (`account_sid`, the write-only `auth_token`), its
number (`from_number`) and the provider's API base (`api_base`, for providers
that speak Twilio's Messages API) are its SMS channel settings. The SDK's
asynchronous HTTP client is used, so a send never blocks the event loop.

A provider's `5xx`, a `429` and a timeout or broken connection may pass: the
delivery job tries again with backoff. Any other `4xx` is the provider's
refusal (an invalid number, an unsubscribed recipient) and fails the delivery
with the provider's error code and message."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import aiohttp
from twilio.base.exceptions import TwilioException
from twilio.http.async_http_client import AsyncTwilioHttpClient
from twilio.rest import Client

from caseroom.channels.base import Accepted, DeliveryError, Outbound, Outgoing
from caseroom.domain.model import Channel

TWILIO_API_BASE = "https://api.twilio.com"

# Where a provider reports on a message it took, for the organization with this id.
StatusCallback = Callable[[str], Awaitable[str | None]]


def sms_text(message: Outgoing) -> str:
    """The text that goes out: the message, then a link for each of its files
    (SMS carries no attachments)."""
    if not message.file_links:
        return message.body
    return "\n".join([message.body, *message.file_links])


class TwilioOutbound(Outbound):
    channel = Channel.SMS

    def __init__(self, status_callback: StatusCallback, *, timeout: float) -> None:
        self._status_callback = status_callback
        self._timeout = timeout

    async def send(self, message: Outgoing) -> Accepted:
        config, secrets = message.config, message.secrets
        account_sid = str(config.get("account_sid") or "")
        from_number = str(config.get("from_number") or "")
        token = secrets.get("auth_token", "")
        missing = [
            name
            for name, value in (
                ("account_sid", account_sid),
                ("from_number", from_number),
                ("auth_token", token),
            )
            if not value
        ]
        if missing:
            raise DeliveryError(
                f"SMS is not fully set up (missing {', '.join(missing)})",
                permanent=True,
            )
        callback = await self._status_callback(message.org_id)
        async with AsyncTwilioHttpClient() as http:
            client = Client(account_sid, token, http_client=http)
            client.api.base_url = str(config.get("api_base") or TWILIO_API_BASE).rstrip("/")
            messages = client.api.v2010.accounts(account_sid).messages
            try:
                # The SDK's async client does not apply its own timeout to requests.
                async with asyncio.timeout(self._timeout):
                    created = await messages.create_async(
                        to=message.recipient,
                        from_=from_number,
                        body=sms_text(message),
                        status_callback=callback,
                    )
            except TwilioException as error:
                if isinstance(getattr(error, "status", None), int):
                    raise _refusal(error) from error
                raise _unreachable(error) from error
            except (TimeoutError, aiohttp.ClientError) as error:
                raise _unreachable(error) from error
        if not created.sid:
            raise DeliveryError("the SMS provider answered without a message id", permanent=False)
        return Accepted(created.sid)


def _unreachable(error: Exception) -> DeliveryError:
    reason = str(error) or type(error).__name__
    return DeliveryError(f"the SMS provider could not be reached: {reason}", permanent=False)


def _refusal(error: TwilioException) -> DeliveryError:
    """The provider's answer to a refused message (its legacy error body or an
    RFC 9457 one, as newer SDKs read them)."""
    status = int(getattr(error, "status", 0))
    temporary = status >= 500 or status == 429
    code = getattr(error, "code", None)
    said = str(getattr(error, "msg", "") or getattr(error, "detail", "") or "")
    reason = said.removeprefix("Unable to create record: ").strip()
    return DeliveryError(
        reason or f"the SMS provider answered {status}",
        permanent=not temporary,
        code=str(code or status),
    )
