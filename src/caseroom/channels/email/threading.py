"""How our mail finds its way back to its Issue: unique Message-IDs, the
References chain, the `[#REF]` subject tag, and signed reply tokens in a
plus-address (`support+<token>@example.com`).

Ids here are bare (`abc@example.com`); `angle()` gives the header form."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from caseroom.domain.model import Room
from caseroom.domain.reference import ALPHABET as REFERENCE_ALPHABET
from caseroom.domain.reference import LENGTH as REFERENCE_LENGTH

# RFC 5322 asks to keep the first id and the latest ones when a chain grows long.
MAX_REFERENCES = 20


def make_message_id(domain: str, *, unique: str | None = None) -> str:
    """A Message-ID no one else makes: time, randomness and our domain."""
    stamp = format(time.time_ns() // 1_000_000, "x")
    return f"{unique or secrets.token_hex(12)}.{stamp}@{domain.strip().lower()}"


def angle(message_id: str) -> str:
    return f"<{message_id.strip().strip('<>')}>"


def reply_chain(
    parent_id: str | None, parent_references: Iterable[str] = ()
) -> tuple[str | None, list[str]]:
    """(In-Reply-To, References) for a reply to `parent_id`, whose own References
    were `parent_references`: the parent's chain, then the parent."""
    chain = [i.strip("<> ") for i in parent_references if i.strip("<> ")]
    if parent_id:
        chain.append(parent_id.strip("<> "))
    chain = list(dict.fromkeys(chain))
    if len(chain) > MAX_REFERENCES:
        chain = [chain[0], *chain[-(MAX_REFERENCES - 1) :]]
    return (parent_id.strip("<> ") if parent_id else None), chain


def references_header(ids: Iterable[str]) -> str:
    return " ".join(angle(i) for i in ids)


# -- subjects -------------------------------------------------------------------------

# Reply and forward prefixes across clients and languages: Re, Fwd/Fw, German
# AW/WG, Scandinavian SV/VS, Dutch Antw/Doorst, French TR/RE, Spanish RV,
# Italian R/I, Polish Odp/PD, Finnish VL/VB, also "Re[2]:" and "Re(2):".
_PREFIX = re.compile(
    r"^\s*(?:re|aw|sv|antw|antwort|odp|r|vs|vl|rif|ref|fwd?|wg|tr|rv|doorst|pd|i|vb|enc)"
    r"(?:\s*[\[(]\d+[\])])?\s*:\s*",
    re.IGNORECASE,
)
_TAG = re.compile(rf"\[#\s*([A-Za-z0-9]{{{REFERENCE_LENGTH}}})\s*\]")


def strip_prefixes(subject: str) -> str:
    """The subject without any leading Re:/Fwd:/AW:/WG:... (however many)."""
    previous = None
    text = subject.strip()
    while previous != text:
        previous = text
        text = _PREFIX.sub("", text, count=1).strip()
    return text


def subject_reference(subject: str) -> str | None:
    """The Issue reference of a `[#REF]` tag anywhere in the subject."""
    for found in _TAG.finditer(subject):
        ref = found.group(1).upper()
        if all(c in REFERENCE_ALPHABET for c in ref):
            return ref
    return None


def base_subject(subject: str) -> str:
    """The subject as a person wrote it: no prefixes, no tag."""
    return re.sub(r"\s{2,}", " ", _TAG.sub("", strip_prefixes(subject))).strip()


def thread_subject(subject: str, reference: str, *, reply: bool = True) -> str:
    """The subject every mail of an Issue carries, stable however often a client
    adds its prefixes: `Re: [#REF] what the Customer wrote`."""
    base = base_subject(subject)
    tagged = f"[#{reference}] {base}".rstrip() if base else f"[#{reference}]"
    return f"Re: {tagged}" if reply else tagged


# -- signed reply tokens ----------------------------------------------------------------

ID_LENGTH = 26  # domain.ids.new_id
TOKEN_MAC_LENGTH = 16  # base32 characters: 80 bits of the HMAC
_ID_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"
_B32 = "abcdefghijklmnopqrstuvwxyz234567"


def _mac(secret: bytes, organization_id: str, issue_id: str, room: Room = Room.PUBLIC) -> str:
    # A public token signs organization and Issue; a private one signs the room too,
    # so one can never be turned into the other.
    signed = f"{organization_id}\x00{issue_id}"
    if room is Room.PRIVATE:
        signed += "\x00private"
    digest = hmac.new(secret, signed.encode(), hashlib.sha256).digest()
    bits = int.from_bytes(digest[:10], "big")
    return "".join(_B32[(bits >> (5 * i)) & 31] for i in reversed(range(TOKEN_MAC_LENGTH)))


def make_reply_token(
    secret: bytes, organization_id: str, issue_id: str, *, room: Room = Room.PUBLIC
) -> str:
    """A token for the Reply-To address of an Issue's mail: the Issue id and an
    HMAC-SHA256 over organization and Issue (and the room, for the private
    room's mail: a collaborator's or a mentioned agent's reply lands there),
    truncated. Lower case, so a mail server that folds case keeps it valid; 42
    characters, within the 64 of a local part with the mailbox name."""
    if len(issue_id) != ID_LENGTH or any(c not in _ID_ALPHABET for c in issue_id):
        raise ValueError(f"not an id: {issue_id!r}")
    return issue_id + _mac(secret, organization_id, issue_id, room)


@dataclass(frozen=True, slots=True)
class ReplyTarget:
    issue_id: str
    room: Room


def read_reply_token(secret: bytes, organization_id: str, token: str) -> ReplyTarget | None:
    """The Issue and room a token was made for in this organization, or None when
    it was not made with this secret for it (compared in constant time)."""
    token = token.strip().lower()
    if len(token) != ID_LENGTH + TOKEN_MAC_LENGTH:
        return None
    issue_id, mac = token[:ID_LENGTH], token[ID_LENGTH:]
    if any(c not in _ID_ALPHABET for c in issue_id):
        return None
    found = None
    for room in (Room.PUBLIC, Room.PRIVATE):
        if hmac.compare_digest(mac, _mac(secret, organization_id, issue_id, room)):
            found = ReplyTarget(issue_id, room)
    return found


def verify_reply_token(secret: bytes, organization_id: str, token: str) -> str | None:
    """The Issue id a token was made for in this organization, or None."""
    target = read_reply_token(secret, organization_id, token)
    return target.issue_id if target else None


def reply_address(mailbox: str, token: str) -> str:
    """`support@example.com` + token -> `support+<token>@example.com`."""
    local, _, domain = mailbox.rpartition("@")
    return f"{local.split('+', 1)[0]}+{token}@{domain}"


@dataclass(frozen=True, slots=True)
class TokenAddress:
    mailbox: str  # the address without the token: support@example.com
    token: str


def token_addresses(addresses: Iterable[str]) -> list[TokenAddress]:
    """Every recipient address that carries a plus-token, in order, once each."""
    found: list[TokenAddress] = []
    for address in addresses:
        local, at, domain = address.strip().strip("<>").lower().rpartition("@")
        if not at or "+" not in local:
            continue
        base, _, token = local.partition("+")
        if base and len(token) == ID_LENGTH + TOKEN_MAC_LENGTH:
            candidate = TokenAddress(f"{base}@{domain}", token)
            if candidate not in found:
                found.append(candidate)
    return found


def find_reply_target(
    addresses: Iterable[str],
    secret: bytes,
    organization_for_mailbox: Callable[[str], str | None],
) -> tuple[str, str] | None:
    """(organization id, Issue id) of the first valid reply token among the
    recipients (To, Cc, Delivered-To). `organization_for_mailbox` names the
    organization whose mailbox an address is, or None."""
    for candidate in token_addresses(addresses):
        organization_id = organization_for_mailbox(candidate.mailbox)
        if organization_id is None:
            continue
        issue_id = verify_reply_token(secret, organization_id, candidate.token)
        if issue_id is not None:
            return organization_id, issue_id
    return None
