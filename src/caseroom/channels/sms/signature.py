"""Is a webhook really from the SMS provider? The provider signs the URL it called
and the form it posted with the account's auth token (`X-Twilio-Signature`);
the SDK's validator checks that signature.

The URL the provider called is the public one (`public_url`), not the one this
process sees behind a proxy. A proxy the operator trusts (`trusted_proxies`)
may say which scheme and host it was called on (`X-Forwarded-Proto`,
`X-Forwarded-Host`); anyone else's headers are ignored, so nobody can make a
signature made for another URL count here."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from urllib.parse import urlsplit

from twilio.request_validator import RequestValidator

from caseroom.web.client_address import ClientAddress

SIGNATURE_HEADER = "x-twilio-signature"


def _first(headers: Mapping[str, str], name: str) -> str:
    return headers.get(name, "").split(",")[0].strip()


def public_request_url(
    *,
    public_url: str,
    path: str,
    query: str,
    headers: Mapping[str, str],
    peer: str | None,
    proxies: ClientAddress,
) -> str:
    """The URL the provider called to reach this request."""
    base = urlsplit(public_url)
    scheme, host = base.scheme, base.netloc
    prefix = base.path.rstrip("/")
    if peer is not None and proxies.is_trusted(peer):
        scheme = _first(headers, "x-forwarded-proto") or scheme
        host = _first(headers, "x-forwarded-host") or host
    return f"{scheme}://{host}{prefix}{path}" + (f"?{query}" if query else "")


class MultiForm(Mapping[str, str]):
    """The posted form for the validator: every value of a repeated name counts."""

    def __init__(self, items: Sequence[tuple[str, str]]) -> None:
        self._items = list(items)
        self._first: dict[str, str] = {}
        for name, value in reversed(self._items):
            self._first[name] = value

    def getlist(self, name: str) -> list[str]:
        return [value for key, value in self._items if key == name]

    def __getitem__(self, name: str) -> str:
        return self._first[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._first)

    def __len__(self) -> int:
        return len(self._first)


def signed_by_provider(token: str, url: str, form: MultiForm, signature: str) -> bool:
    if not token or not signature:
        return False
    return bool(RequestValidator(token).validate(url, form, signature))
