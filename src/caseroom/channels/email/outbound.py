"""The email adapter of the outbound port: builds the mail for a delivery
(compose.py), signs it when the organization has a DKIM key, and submits it to
the organization's relay, or, when none is set up, keeps it in the local
capture an admin reads in the console (so email works with no account).

The Message-ID is made from the delivery id: a retried delivery sends the same
mail again, which receivers and our own inbound deduplicate, never a second one.
It is also the provider id, by which a bounce finds its delivery."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol
from urllib.parse import unquote, urlsplit

from caseroom.channels.base import Accepted, DeliveryError, Outbound, Outgoing
from caseroom.channels.email import smtp
from caseroom.channels.email.compose import (
    DEFAULT_DKIM_SELECTOR,
    Draft,
    as_bytes,
    compose,
    dkim_sign,
    domain_of,
    sender_name,
)
from caseroom.channels.email.threading import make_reply_token, reply_address, thread_subject
from caseroom.domain.model import Channel, Room


class MailCapture(Protocol):
    async def keep(
        self,
        org_id: str,
        message_id: str,
        *,
        sender: str,
        recipients: Sequence[str],
        subject: str,
        raw: bytes,
    ) -> None:
        """Store a mail that would have gone to a relay (once per Message-ID)."""


def outgoing_message_id(outgoing: Outgoing, domain: str) -> str:
    return f"{outgoing.delivery_id.lower()}@{domain}"


def draft_for(outgoing: Outgoing, *, now: datetime | None = None) -> Draft:
    """The mail a delivery is, from its organization's email setup."""
    config, secrets = outgoing.config, outgoing.secrets
    address = str(config.get("address") or "").strip().lower()
    if "@" not in address:
        raise DeliveryError(
            "the organization's email address is not set up", permanent=True, code="setup"
        )
    domain = domain_of(address)
    organization = str(config.get("display_name") or outgoing.organization_name)
    reply_to = None
    if (key := secrets.get("reply_token_key")) and outgoing.issue_id:
        token = make_reply_token(
            key.encode(),
            outgoing.org_id,
            outgoing.issue_id,
            room=Room.PRIVATE if outgoing.private else Room.PUBLIC,
        )
        reply_to = reply_address(address, token)
    chain = tuple(outgoing.thread)
    return Draft(
        message_id=outgoing_message_id(outgoing, domain),
        from_address=address,
        from_name=sender_name(outgoing.author_name, organization),
        to=(outgoing.recipient, *outgoing.to_also),
        cc=outgoing.cc,
        subject=thread_subject(
            outgoing.subject, outgoing.issue_reference, reply=bool(chain) or outgoing.answers_mail
        ),
        body=outgoing.body,
        date=now or datetime.now(UTC),
        reply_to=reply_to,
        in_reply_to=chain[-1] if chain else None,
        references=chain,
        file_links=named_links(outgoing),
        automatic=outgoing.automatic,
        loop_id=address,
    )


def named_links(outgoing: Outgoing) -> tuple[tuple[str, str], ...]:
    names = outgoing.file_names
    if len(names) != len(outgoing.file_links):
        names = tuple(link_name(url) for url in outgoing.file_links)
    return tuple(zip(names, outgoing.file_links, strict=True))


def link_name(url: str) -> str:
    """What a file link is called in the mail: the last part of its path."""
    name = unquote(urlsplit(url).path.rstrip("/").rpartition("/")[2])
    return name or url


def signed_bytes(outgoing: Outgoing, draft: Draft) -> bytes:
    raw = as_bytes(compose(draft))
    key = outgoing.secrets.get("dkim_private_key")
    if not key:
        return raw
    selector = str(outgoing.config.get("dkim_selector") or DEFAULT_DKIM_SELECTOR)
    try:
        return dkim_sign(
            raw, private_key=key, domain=domain_of(draft.from_address), selector=selector
        )
    except Exception as broken:  # dkimpy raises several kinds for a bad key
        raise DeliveryError(
            f"the DKIM key cannot sign: {broken}", permanent=True, code="dkim"
        ) from broken


@dataclass
class EmailOutbound(Outbound):
    capture: MailCapture
    channel: Channel = Channel.EMAIL
    timeout: float = smtp.DEFAULT_TIMEOUT

    async def send(self, message: Outgoing) -> Accepted:
        draft = draft_for(message)
        raw = signed_bytes(message, draft)
        recipients = [*draft.to, *draft.cc]
        relay = smtp.Relay.from_setup(message.config, message.secrets)
        if relay is None:
            await self.capture.keep(
                message.org_id,
                draft.message_id,
                sender=draft.from_address,
                recipients=recipients,
                subject=draft.subject,
                raw=raw,
            )
        else:
            await smtp.submit(
                relay, raw, sender=draft.from_address, recipients=recipients, seconds=self.timeout
            )
        return Accepted(draft.message_id)
