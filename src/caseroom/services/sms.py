"""Use cases of the SMS channel: a text a Customer sent (through the one inbound
entry point), the carrier keywords it may be (STOP opts the number out, START
opts it back in, HELP asks for the organization's help text), and a provider's
report on a text that went out."""

from __future__ import annotations

from dataclasses import dataclass

from caseroom.channels.sms.text import Keyword, classify_keyword
from caseroom.domain.delivery import DeliveryState
from caseroom.domain.model import Channel
from caseroom.services.common import utcnow
from caseroom.services.deliveries import report_by_provider_id
from caseroom.services.inbound import InboundMessage, receive_inbound
from caseroom.services.messages import Sent
from caseroom.services.sms_colleagues import receive_colleague_text
from caseroom.storage.uow import UnitOfWork

OPTED_OUT = "opted_out"
DEFAULT_HELP = "{org}: reply to this number to reach our support team. Reply STOP to opt out."

# The provider's message states (Twilio's MessageStatus), as delivery states.
# Its own intermediate states (queued, sending, accepted, scheduled) say nothing new.
PROVIDER_STATES = {
    "sent": DeliveryState.SENT,
    "delivered": DeliveryState.DELIVERED,
    "read": DeliveryState.READ,
    "undelivered": DeliveryState.BOUNCED,
    "failed": DeliveryState.FAILED,
}
# What the provider's commonest delivery error codes mean, for the agent.
PROVIDER_ERRORS = {
    "30003": "the handset is unreachable",
    "30004": "the message was blocked",
    "30005": "the number is unknown or no longer in service",
    "30006": "the number is a landline or its carrier cannot take texts",
    "30007": "the carrier filtered the message",
    "30008": "the carrier gave no reason",
    "21610": "the recipient has unsubscribed (replied STOP)",
}


@dataclass(frozen=True, slots=True)
class Received:
    sent: Sent
    keyword: Keyword | None
    reply: str | None  # a text to send straight back (the help text)


async def receive_text(
    uow: UnitOfWork, inbound: InboundMessage, *, help_text: str | None, max_chars: int
) -> Received:
    """Store the text in the Customer's open Issue (or a new one) and act on a
    carrier keyword. The keyword text is stored too: agents see why SMS stopped.
    A colleague answering a text from an Issue's private room lands there instead."""
    answer = await receive_colleague_text(
        uow,
        inbound.org_id,
        inbound.address,
        inbound.provider_id,
        inbound.body,
        inbound.files,
        max_chars=max_chars,
    )
    if answer is not None:
        return Received(answer, None, None)
    sent = await receive_inbound(uow, inbound, max_chars=max_chars)
    keyword = classify_keyword(inbound.body)
    if keyword is Keyword.OPT_OUT:
        await uow.contact_blocks.block(
            inbound.org_id,
            Channel.SMS,
            inbound.address,
            OPTED_OUT,
            f"replied {inbound.body.strip()[:40]!r}",
            utcnow(),
        )
    elif keyword is Keyword.OPT_IN:
        await uow.contact_blocks.unblock(inbound.org_id, Channel.SMS, inbound.address)
    reply = None
    if keyword is Keyword.HELP:
        org = await uow.organizations.get(inbound.org_id)
        reply = help_text or DEFAULT_HELP.format(org=org.name if org else "Support")
    return Received(sent, keyword, reply)


async def report_status(
    uow: UnitOfWork, org_id: str, message_sid: str, status: str, error_code: str | None
) -> None:
    """A provider's status callback for a text it took: the delivery moves forward
    (a late or repeated report never moves it back)."""
    state = PROVIDER_STATES.get(status.lower())
    if state is None:
        return
    error = None
    if state in (DeliveryState.FAILED, DeliveryState.BOUNCED):
        meaning = PROVIDER_ERRORS.get(error_code or "")
        error = f"{status}: {meaning}" if meaning else f"{status} (provider error {error_code})"
        if not error_code:
            error = f"{status}: the provider gave no error code"
    await report_by_provider_id(
        uow, org_id, Channel.SMS, message_sid, state, error_code=error_code or None, error=error
    )
