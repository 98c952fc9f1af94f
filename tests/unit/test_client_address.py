from __future__ import annotations

import pytest

from caseroom.web.client_address import ClientAddress


def scope(peer: str, *forwarded: str) -> dict[str, object]:
    headers = [(b"x-forwarded-for", value.encode()) for value in forwarded]
    return {"type": "http", "client": (peer, 50000), "headers": headers}


def test_without_trusted_proxies_the_header_is_ignored() -> None:
    assert ClientAddress([]).of(scope("198.51.100.1", "203.0.113.9")) == "198.51.100.1"


def test_an_untrusted_peer_cannot_claim_another_address() -> None:
    addresses = ClientAddress(["10.0.0.0/8"])
    assert addresses.of(scope("198.51.100.1", "203.0.113.9")) == "198.51.100.1"


def test_a_trusted_proxy_names_the_client() -> None:
    addresses = ClientAddress(["10.0.0.0/8"])
    assert addresses.of(scope("10.1.2.3", "203.0.113.9")) == "203.0.113.9"


def test_what_the_client_wrote_itself_before_our_proxies_is_not_believed() -> None:
    addresses = ClientAddress(["10.0.0.0/8", "192.0.2.1"])
    # client forged "1.1.1.1"; our edge proxy 192.0.2.1 saw 203.0.113.9; then 10.1.2.3.
    request = scope("10.1.2.3", "1.1.1.1, 203.0.113.9", "192.0.2.1")
    assert addresses.of(request) == "203.0.113.9"


def test_garbage_in_the_header_stops_the_walk() -> None:
    addresses = ClientAddress(["10.0.0.0/8"])
    assert addresses.of(scope("10.1.2.3", "203.0.113.9, not-an-ip")) == "10.1.2.3"


def test_ipv6_networks() -> None:
    addresses = ClientAddress(["fd00::/8"])
    assert addresses.of(scope("fd00::1", "2001:db8::7")) == "2001:db8::7"


def test_a_bad_network_in_the_settings_is_an_error() -> None:
    with pytest.raises(ValueError):
        ClientAddress(["10.0.0.0/33"])
