"""A local HTTP server that speaks the SMS provider's Messages API as Twilio
documents it (POST /2010-04-01/Accounts/{AccountSid}/Messages.json with To, From,
Body, StatusCallback; HTTP Basic auth with the account SID and auth token; a
201 with the message resource, or an error body with `code` and `message`), and
serves MMS media behind the same credentials. Tests point the SDK at it through
the organization's `api_base`."""

from __future__ import annotations

import base64
import json
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

from twilio.request_validator import RequestValidator

ACCOUNT_SID = "AC" + "0" * 31 + "1"
AUTH_TOKEN = "provider-auth-token"


@dataclass
class FakeProvider:
    url: str = ""
    sent: list[dict[str, str]] = field(default_factory=list)  # forms of texts it took
    attempts: int = 0
    delay_seconds: float = 0.0  # how long it takes to answer a send
    media: dict[str, bytes] = field(default_factory=dict)  # path -> bytes
    _failures: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def fail_next(self, status: int, code: int | None = None, message: str = "") -> None:
        body: dict[str, Any] = {"status": status, "message": message or f"error {status}"}
        if code is not None:
            body["code"] = code
        self._failures.append((status, body))

    def next_failure(self) -> tuple[int, dict[str, Any]] | None:
        with self.lock:
            return self._failures.pop(0) if self._failures else None

    def bodies(self) -> list[str]:
        return [form["Body"] for form in self.sent]


def sign(url: str, form: dict[str, str], token: str = AUTH_TOKEN) -> str:
    """The signature the provider puts in X-Twilio-Signature, by the SDK's own logic."""
    return str(RequestValidator(token).compute_signature(url, form))


def inbound_form(sender: str, body: str, to: str = "+14155550000", **extra: str) -> dict[str, str]:
    sid = "SM" + secrets.token_hex(16)
    return {
        "MessageSid": sid,
        "SmsSid": sid,
        "SmsMessageSid": sid,
        "AccountSid": ACCOUNT_SID,
        "From": sender,
        "To": to,
        "Body": body,
        "NumMedia": "0",
        "NumSegments": "1",
        "ApiVersion": "2010-04-01",
        **extra,
    }


def _handler(provider: FakeProvider) -> type[BaseHTTPRequestHandler]:
    expected = "Basic " + base64.b64encode(f"{ACCOUNT_SID}:{AUTH_TOKEN}".encode()).decode()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            return

        def _answer(self, status: int, body: bytes, content_type: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _json(self, status: int, payload: dict[str, Any]) -> None:
            self._answer(status, json.dumps(payload).encode(), "application/json")

        def do_GET(self) -> None:
            if self.headers.get("Authorization") != expected:
                return self._json(401, {"code": 20003, "message": "Authenticate", "status": 401})
            data = provider.media.get(self.path)
            if data is None:
                return self._json(404, {"code": 20404, "message": "Not found", "status": 404})
            self._answer(200, data, "image/png")

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            raw = self.rfile.read(length).decode()
            if self.headers.get("Authorization") != expected:
                return self._json(401, {"code": 20003, "message": "Authenticate", "status": 401})
            if self.path != f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json":
                return self._json(404, {"code": 20404, "message": "Not found", "status": 404})
            provider.attempts += 1
            if provider.delay_seconds:
                time.sleep(provider.delay_seconds)
            failure = provider.next_failure()
            if failure is not None:
                return self._json(*failure)
            form = {name: values[0] for name, values in parse_qs(raw).items()}
            sid = "SM" + secrets.token_hex(16)
            provider.sent.append(form)
            self._json(
                201,
                {
                    "sid": sid,
                    "account_sid": ACCOUNT_SID,
                    "to": form.get("To"),
                    "from": form.get("From"),
                    "body": form.get("Body"),
                    "status": "queued",
                    "direction": "outbound-api",
                    "num_segments": "1",
                    "api_version": "2010-04-01",
                    "uri": f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages/{sid}.json",
                },
            )

    return Handler


@contextmanager
def fake_provider() -> Iterator[FakeProvider]:
    provider = FakeProvider()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(provider))
    provider.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield provider
    finally:
        server.shutdown()
        server.server_close()
