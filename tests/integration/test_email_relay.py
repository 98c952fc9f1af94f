"""The relay as the organization sets it up: AUTH with its user and password
(a wrong password is a refusal for good, with the server's words), and a relay
that cannot be reached is worth another try."""

from __future__ import annotations

import pytest

from caseroom.channels.base import DeliveryError
from caseroom.channels.email.smtp import Relay, submit
from tests.smtp_sink import free_port, smtp_sink

# The test's relay takes AUTH over plain SMTP on the loopback; a real one wants TLS.
pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")

MAIL = b"From: help@desk.example\r\nTo: a@example.org\r\nSubject: hi\r\n\r\nHello\r\n"


async def test_the_relay_takes_mail_from_its_user_and_refuses_a_wrong_password() -> None:
    with smtp_sink(login=("desk", "s3cret")) as sink:
        config = {"relay_host": sink.host, "relay_port": sink.port, "relay_tls": "none"}
        config |= {"relay_user": "desk"}
        relay = Relay.from_setup(config, {"relay_password": "s3cret"})
        assert relay is not None
        await submit(relay, MAIL, sender="help@desk.example", recipients=["a@example.org"])
        assert [r.recipients for r in sink.received] == [["a@example.org"]]

        wrong = Relay.from_setup(config, {"relay_password": "guess"})
        assert wrong is not None
        with pytest.raises(DeliveryError) as refused:
            await submit(wrong, MAIL, sender="help@desk.example", recipients=["a@example.org"])
        assert refused.value.permanent and refused.value.code == "535"
        assert "Authentication" in refused.value.reason
        assert len(sink.received) == 1


async def test_an_unreachable_relay_is_tried_again_later() -> None:
    relay = Relay("127.0.0.1", free_port(), tls="none")
    with pytest.raises(DeliveryError) as broken:
        await submit(relay, MAIL, sender="help@desk.example", recipients=["a@example.org"])
    assert not broken.value.permanent and broken.value.code == "connection"


def test_a_relay_setup_names_its_tls_mode_and_default_port() -> None:
    assert Relay.from_setup({}, {}) is None  # no relay: mail is kept in the local capture
    assert Relay.from_setup({"relay_host": "smtp.example"}, {}) == Relay("smtp.example", 587)
    implicit = Relay.from_setup({"relay_host": "smtp.example", "relay_tls": "tls"}, {})
    assert implicit is not None and implicit.port == 465
    with pytest.raises(DeliveryError) as wrong:
        Relay.from_setup({"relay_host": "smtp.example", "relay_tls": "maybe"}, {})
    assert wrong.value.permanent
