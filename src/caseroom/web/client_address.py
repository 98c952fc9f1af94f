"""The client's address: the TCP peer, or what X-Forwarded-For says when the peer
is one of the operator's trusted proxies (and only then: anyone can send the
header)."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from starlette.types import Scope

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(entries: Iterable[str]) -> tuple[Network, ...]:
    """ "10.0.0.1" or "10.0.0.0/8" (v4 or v6); raises ValueError on anything else."""
    return tuple(ipaddress.ip_network(entry.strip(), strict=False) for entry in entries)


class ClientAddress:
    def __init__(self, trusted: Iterable[str]) -> None:
        self.trusted = parse_networks(trusted)

    def is_trusted(self, address: str) -> bool:
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip in network for network in self.trusted)

    def of(self, scope: Scope) -> str:
        client = scope.get("client")
        peer = client[0] if client else "unknown"
        if not self.trusted or not self.is_trusted(peer):
            return peer
        hops = [
            hop.strip()
            for name, value in scope["headers"]
            if name == b"x-forwarded-for"
            for hop in value.decode("latin-1").split(",")
        ]
        # Walk back from the nearest hop: each trusted proxy vouches for the one
        # before it; the first address no proxy of ours added is the client.
        address = peer
        for hop in reversed(hops):
            try:
                ipaddress.ip_address(hop)
            except ValueError:
                break  # garbage: believe no further
            address = hop
            if not self.is_trusted(hop):
                break
        return address
