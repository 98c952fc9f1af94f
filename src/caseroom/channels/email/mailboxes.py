"""Which organization an inbound address belongs to, and the key its reply
tokens are signed with. Pure: the caller reads the email setups."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from caseroom.channels.email.threading import ReplyTarget, read_reply_token, token_addresses

TOKEN_KEY_SECRET = "reply_token_key"  # an organization's own key, in its email secrets


def reply_token_secret(org_id: str, org_secrets: Mapping[str, str], installation_key: str) -> bytes:
    """The organization's `reply_token_key` when it set one, else a key derived
    from the installation's secret key for this organization alone. Outbound mail
    signs its Reply-To tokens with the same key."""
    own = org_secrets.get(TOKEN_KEY_SECRET)
    if own:
        return own.encode()
    return hmac.new(
        installation_key.encode(), f"caseroom reply tokens\x00{org_id}".encode(), hashlib.sha256
    ).digest()


def mailbox_index(configs: Iterable[tuple[str, Mapping[str, Any]]]) -> dict[str, str]:
    """mailbox address (lower case) -> organization id, from the email setups."""
    index: dict[str, str] = {}
    for org_id, config in configs:
        address = str(config.get("address") or "").strip().lower()
        if "@" in address:
            index.setdefault(address, org_id)
    return index


@dataclass(frozen=True, slots=True)
class Recipient:
    org_id: str
    mailbox: str
    target: ReplyTarget | None  # what the plus-token names, if there is one


def resolve(
    address: str,
    mailboxes: Mapping[str, str],
    secret_for: Mapping[str, bytes] | None = None,
) -> Recipient | None:
    """The organization a recipient address reaches: its mailbox itself, or a
    reply address `mailbox+<token>@domain` whose token that organization signed.
    `secret_for` gives each organization's token key (only needed for tokens)."""
    wanted = address.strip().strip("<>").lower()
    if wanted in mailboxes:
        return Recipient(mailboxes[wanted], wanted, None)
    for candidate in token_addresses([wanted]):
        org_id = mailboxes.get(candidate.mailbox)
        if org_id is None or secret_for is None or org_id not in secret_for:
            continue
        target = read_reply_token(secret_for[org_id], org_id, candidate.token)
        if target is not None:
            return Recipient(org_id, candidate.mailbox, target)
    return None


def token_target(
    addresses: Iterable[str], org_id: str, mailboxes: Mapping[str, str], secret: bytes
) -> ReplyTarget | None:
    """The first valid reply token of this organization among the addresses."""
    for candidate in token_addresses(addresses):
        if mailboxes.get(candidate.mailbox) != org_id:
            continue
        target = read_reply_token(secret, org_id, candidate.token)
        if target is not None:
            return target
    return None
