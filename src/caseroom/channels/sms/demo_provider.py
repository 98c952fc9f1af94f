"""A stand-in for the SMS provider, so the demo organization can text without an
account (`sms_demo_provider`, on in `make run`; never in production).

It speaks the part of Twilio's Messages API the adapter uses, under
`/demo-sms/2010-04-01/Accounts/{AccountSid}/Messages.json`: a POST takes a text
(To, From, Body, StatusCallback) and keeps it; a GET lists the texts taken, as
`caseroom sms-demo outbox` shows them. Like the provider, it then reports each
text's progress (sent, then delivered) to its StatusCallback, signed with the
account's auth token (the password the request authenticated with). The texts
live in this process only."""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import secrets
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any
from urllib.parse import parse_qsl

import httpx
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from twilio.request_validator import RequestValidator

from caseroom.channels.sms.text import count_segments

PREFIX = "/demo-sms"
API_VERSION = "2010-04-01"
KEEP = 500  # texts kept; older ones are forgotten


def _credentials(request: Request) -> tuple[str, str] | None:
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        user, _, password = base64.b64decode(value).decode("utf-8").partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return (user, password) if user and password else None


def _error(status: int, code: int, message: str) -> JSONResponse:
    return JSONResponse(
        {"code": code, "message": message, "more_info": "", "status": status},
        status_code=status,
    )


class DemoSmsProvider:
    def __init__(self, timeout: float) -> None:
        self.timeout = timeout
        self.texts: list[dict[str, Any]] = []
        self._tasks: set[asyncio.Task[None]] = set()
        self.router = APIRouter(prefix=PREFIX, include_in_schema=False)
        path = f"/{API_VERSION}/Accounts/{{account_sid}}/Messages.json"
        self.router.add_api_route(path, self.create, methods=["POST"])
        self.router.add_api_route(path, self.list, methods=["GET"])

    async def create(self, account_sid: str, request: Request) -> JSONResponse:
        credentials = _credentials(request)
        if credentials is None or credentials[0] != account_sid:
            return _error(401, 20003, "Authenticate")
        form = dict(parse_qsl((await request.body()).decode("utf-8", "replace")))
        to, body = form.get("To", ""), form.get("Body", "")
        if not to.startswith("+") or not to[1:].isdigit():
            return _error(400, 21211, f"The 'To' number {to} is not a valid phone number.")
        now = format_datetime(datetime.now(UTC))
        text = {
            "sid": "SM" + secrets.token_hex(16),
            "account_sid": account_sid,
            "to": to,
            "from": form.get("From", ""),
            "body": body,
            "status": "queued",
            "direction": "outbound-api",
            "num_segments": str(count_segments(body).segments),
            "num_media": "0",
            "date_created": now,
            "date_updated": now,
            "date_sent": None,
            "api_version": API_VERSION,
            "error_code": None,
            "error_message": None,
            "uri": f"/{API_VERSION}/Accounts/{account_sid}/Messages.json",
        }
        self.texts = [*self.texts[-(KEEP - 1) :], text]
        callback = form.get("StatusCallback")
        if callback:
            task = asyncio.create_task(self._report(text, callback, credentials[1]))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        return JSONResponse(text, status_code=201)

    async def list(self, account_sid: str, request: Request) -> JSONResponse:
        credentials = _credentials(request)
        if credentials is None or credentials[0] != account_sid:
            return _error(401, 20003, "Authenticate")
        mine = [t for t in reversed(self.texts) if t["account_sid"] == account_sid]
        uri = f"/{API_VERSION}/Accounts/{account_sid}/Messages.json"
        return JSONResponse(
            {
                "messages": mine,
                "page": 0,
                "page_size": len(mine),
                "first_page_uri": uri,
                "next_page_uri": None,
                "previous_page_uri": None,
                "start": 0,
                "end": max(len(mine) - 1, 0),
                "uri": uri,
            }
        )

    async def close(self) -> None:
        """Stop the reports still on their way (the server is shutting down)."""
        for task in list(self._tasks):
            task.cancel()
        for task in list(self._tasks):
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _report(self, text: dict[str, Any], callback: str, token: str) -> None:
        """Post the text's progress, signed as the provider signs its webhooks."""
        validator = RequestValidator(token)
        async with httpx.AsyncClient(timeout=self.timeout) as http:
            for state in ("sent", "delivered"):
                await asyncio.sleep(0.3)
                text["status"] = state
                form = {
                    "MessageSid": text["sid"],
                    "SmsSid": text["sid"],
                    "AccountSid": text["account_sid"],
                    "From": text["from"],
                    "To": text["to"],
                    "MessageStatus": state,
                    "SmsStatus": state,
                    "ApiVersion": API_VERSION,
                }
                signature = validator.compute_signature(callback, form)
                with contextlib.suppress(httpx.HTTPError):
                    await http.post(callback, data=form, headers={"X-Twilio-Signature": signature})
