"""The URL a webhook signature is checked against: the public URL, where the
provider called; a forwarded scheme and host count only from a trusted proxy."""

from __future__ import annotations

from twilio.request_validator import RequestValidator

from caseroom.channels.sms.signature import MultiForm, public_request_url, signed_by_provider
from caseroom.web.client_address import ClientAddress

FORWARDED = {"x-forwarded-proto": "https", "x-forwarded-host": "desk.example, inner"}


def url(peer: str, trusted: list[str], headers: dict[str, str] = FORWARDED) -> str:
    return public_request_url(
        public_url="http://127.0.0.1:8000/support/",
        path="/api/v1/channels/sms/acme/inbound",
        query="x=1",
        headers=headers,
        peer=peer,
        proxies=ClientAddress(trusted),
    )


def test_the_public_url_is_used_and_forwarded_headers_only_from_trusted_proxies() -> None:
    public = "http://127.0.0.1:8000/support/api/v1/channels/sms/acme/inbound?x=1"
    assert url("203.0.113.9", []) == public
    assert url("203.0.113.9", ["10.0.0.0/8"]) == public
    assert url("10.1.2.3", ["10.0.0.0/8"]) == (
        "https://desk.example/support/api/v1/channels/sms/acme/inbound?x=1"
    )
    assert url("10.1.2.3", ["10.0.0.0/8"], {}) == public


def test_a_signature_covers_every_value_of_a_repeated_field() -> None:
    target = "https://desk.example/hook"
    pairs = [("Body", "hi"), ("MediaUrl0", "a"), ("MediaUrl0", "b")]
    form = MultiForm(pairs)
    signature = RequestValidator("tok").compute_signature(target, form)
    assert signed_by_provider("tok", target, form, signature)
    assert not signed_by_provider("tok", target, MultiForm(pairs[:2]), signature)
    assert not signed_by_provider("", target, form, signature)
    assert not signed_by_provider("tok", target, form, "")
