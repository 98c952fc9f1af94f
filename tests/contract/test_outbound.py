"""The outbound channel contract, one suite over every adapter (see outbound.py):
a message reaches its recipient with its text, the provider's id comes back, a
refusal for good and one for now are told apart, and a refused message reached
nobody."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from contextlib import ExitStack

import pytest

from caseroom.channels.base import DeliveryError, Outgoing
from tests.builders import key
from tests.contract.outbound import Harness, in_process, smtp, twilio

HARNESSES: dict[str, Callable[[ExitStack], Harness]] = {
    "in_process": in_process,
    "smtp": smtp,
    "twilio": twilio,
}


@pytest.fixture(params=sorted(HARNESSES))
def harness(request: pytest.FixtureRequest) -> Iterator[Harness]:
    with ExitStack() as stack:
        yield HARNESSES[request.param](stack)


def outgoing(harness: Harness, body: str = "Your parcel left today.") -> Outgoing:
    made = Outgoing(
        delivery_id=key(),
        org_id="org-1",
        channel=harness.outbound.channel,
        recipient=harness.recipient,
        body=body,
        author_name="Ana Agent",
        issue_reference="K7M2QP",
        subject="Where is my parcel?",
        file_links=("https://desk.example/f/abc",),
    )
    return dataclasses.replace(made, **harness.setup)


async def test_a_message_reaches_its_recipient_and_is_named_by_the_provider(
    harness: Harness,
) -> None:
    first = await harness.outbound.send(outgoing(harness, "first"))
    second = await harness.outbound.send(outgoing(harness, "second"))
    assert first.provider_id and second.provider_id and first.provider_id != second.provider_id
    bodies = [body for recipient, body in harness.received() if recipient == harness.recipient]
    assert [b.split("\n")[0] for b in bodies] == ["first", "second"]


@pytest.mark.parametrize("permanent", [True, False])
async def test_a_refusal_says_whether_trying_again_can_help(
    harness: Harness, permanent: bool
) -> None:
    harness.refuse_next(permanent=permanent)
    with pytest.raises(DeliveryError) as refused:
        await harness.outbound.send(outgoing(harness))
    assert refused.value.permanent is permanent and refused.value.reason
    assert harness.received() == []
    await harness.outbound.send(outgoing(harness, "after the refusal"))
    assert len(harness.received()) == 1
