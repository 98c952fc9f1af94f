"""The Twilio adapter against a local server speaking the Messages API: what a
send carries, and which answers are worth trying again (a 429, a 5xx, a
timeout) and which are the provider's refusal, with its code and message."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from caseroom.channels.base import DeliveryError, Outgoing
from caseroom.channels.sms.twilio import TwilioOutbound
from caseroom.domain.model import Channel
from tests.sms_provider import ACCOUNT_SID, AUTH_TOKEN, FakeProvider, fake_provider


@pytest.fixture
def provider() -> Iterator[FakeProvider]:
    with fake_provider() as running:
        yield running


async def _callback(org_id: str) -> str:
    return f"https://desk.example/api/v1/channels/sms/{org_id}/status"


def outgoing(provider: FakeProvider, **config: str) -> Outgoing:
    return Outgoing(
        delivery_id="d1",
        org_id="acme",
        channel=Channel.SMS,
        recipient="+14155550100",
        body="Your replacement zip ships today.",
        author_name="Ana",
        issue_reference="K7M2QP",
        subject="Zip",
        file_links=("https://desk.example/f/tok1",),
        config={
            "account_sid": ACCOUNT_SID,
            "from_number": "+14155550000",
            "api_base": provider.url,
            **config,
        },
        secrets={"auth_token": AUTH_TOKEN},
    )


async def test_a_send_carries_to_from_body_with_file_links_and_the_status_callback(
    provider: FakeProvider,
) -> None:
    accepted = await TwilioOutbound(_callback, timeout=5).send(outgoing(provider))
    (form,) = provider.sent
    assert form == {
        "To": "+14155550100",
        "From": "+14155550000",
        "Body": "Your replacement zip ships today.\nhttps://desk.example/f/tok1",
        "StatusCallback": "https://desk.example/api/v1/channels/sms/acme/status",
    }
    assert accepted.provider_id.startswith("SM")


@pytest.mark.parametrize(
    ("status", "code", "permanent"),
    [
        (429, 20429, False),
        (500, None, False),
        (503, None, False),
        (400, 21211, True),
        (404, 20404, True),
    ],
)
async def test_which_answers_are_tried_again(
    provider: FakeProvider, status: int, code: int | None, permanent: bool
) -> None:
    provider.fail_next(status, code, "The provider says no")
    with pytest.raises(DeliveryError) as refused:
        await TwilioOutbound(_callback, timeout=5).send(outgoing(provider))
    assert refused.value.permanent is permanent
    assert refused.value.code == str(code or status)
    assert refused.value.reason == "The provider says no"
    assert provider.sent == []


async def test_a_timeout_or_no_server_is_tried_again(provider: FakeProvider) -> None:
    provider.delay_seconds = 1.0
    with pytest.raises(DeliveryError) as slow:
        await TwilioOutbound(_callback, timeout=0.2).send(outgoing(provider))
    assert not slow.value.permanent
    with pytest.raises(DeliveryError) as gone:
        nowhere = outgoing(provider, api_base="http://127.0.0.1:9")
        await TwilioOutbound(_callback, timeout=2).send(nowhere)
    assert not gone.value.permanent and "could not be reached" in gone.value.reason


async def test_a_number_without_its_account_is_refused_for_good(provider: FakeProvider) -> None:
    with pytest.raises(DeliveryError) as refused:
        await TwilioOutbound(_callback, timeout=5).send(outgoing(provider, account_sid=""))
    assert refused.value.permanent and "account_sid" in refused.value.reason
    assert provider.attempts == 0
