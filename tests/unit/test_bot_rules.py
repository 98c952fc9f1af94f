"""The pure rules behind bots and webhooks: `#nickname` calls, nicknames, which
addresses a delivery may reach, the circuit breaker, the signature (checked with
the convention's reference library), extractive summaries, the welcome bot's
turns, team hours, and search words."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from caseroom.domain.errors import InvalidInput
from caseroom.domain.handoff import wants_person
from caseroom.domain.hours import back_at_text, is_open
from caseroom.domain.knowledge import query_words
from caseroom.domain.mentions import BotCall, check_nickname, parse_bot_invocations
from caseroom.domain.model import AuthorKind, Channel, Message, MessageKind, Room
from caseroom.domain.summary import summarize
from caseroom.domain.webhooks import Breaker, check_url, new_secret, refused_address, signed_headers
from caseroom.domain.welcome import Found, Situation, Topic, next_turn
from caseroom.services.webhook_results import read_answer

NOW = datetime(2026, 12, 2, 10, 0, tzinfo=UTC)  # a Wednesday


def test_bot_calls_are_hash_words_with_the_rest_of_their_line() -> None:
    assert parse_bot_invocations("#kb reset password\nthanks") == [BotCall("kb", "reset password")]
    assert parse_bot_invocations("see #Summary and #kb  x  y") == [
        BotCall("summary", "and #kb x y"),
        BotCall("kb", "x y"),
    ]
    assert parse_bot_invocations("issue#12, C# and #1st") == []
    assert len(parse_bot_invocations("#a #b #c #d #e")) == 3  # at most three per message


@given(st.text(max_size=200))
def test_parsing_any_text_never_fails(text: str) -> None:
    for call in parse_bot_invocations(text):
        assert call.nickname == check_nickname(call.nickname)


def test_nicknames() -> None:
    assert check_nickname(" #Order-Bot ") == "order-bot"
    for bad in ("", "9lives", "has space", "x" * 40):
        with pytest.raises(InvalidInput):
            check_nickname(bad)


@pytest.mark.parametrize(
    ("address", "refused"),
    [
        ("127.0.0.1", True),
        ("10.1.2.3", True),
        ("192.168.0.9", True),
        ("169.254.169.254", True),  # cloud metadata
        ("::1", True),
        ("fe80::1%eth0", True),
        ("::ffff:127.0.0.1", True),
        ("0.0.0.0", True),
        ("224.0.0.1", True),
        ("93.184.216.34", False),
        ("2606:4700::1111", False),
    ],
)
def test_private_loopback_and_link_local_addresses_are_refused(address: str, refused: bool) -> None:
    assert refused_address(address) is refused


def test_urls() -> None:
    assert check_url(" https://bots.example.com/hook ") == "https://bots.example.com/hook"
    for bad in (
        "ftp://x.example/",
        "https:///nohost",
        "https://u:p@x.example/",
        "http://10.0.0.1/",
    ):
        with pytest.raises(InvalidInput):
            check_url(bad)
    assert check_url("http://10.0.0.1/", allow_private=True) == "http://10.0.0.1/"


def test_the_breaker_opens_after_failures_in_a_row_and_a_success_closes_it() -> None:
    open_for = timedelta(minutes=5)
    breaker = Breaker()
    for _ in range(2):
        breaker = breaker.after_failure(NOW, threshold=3, open_for=open_for)
    assert not breaker.is_open(NOW)
    breaker = breaker.after_failure(NOW, threshold=3, open_for=open_for)
    assert breaker.is_open(NOW) and not breaker.is_open(NOW + open_for)
    trial_failed = breaker.after_failure(NOW + open_for, threshold=3, open_for=open_for)
    assert trial_failed.is_open(NOW + open_for)  # a failed trial opens it again at once
    assert breaker.after_success() == Breaker()


def test_signatures_verify_with_the_reference_library() -> None:
    first, second = new_secret(), new_secret()
    at = datetime.now(UTC)
    body = '{"type":"bot.called"}'
    headers = signed_headers("msg_1", at, body, (first, second))
    for secret in (first, second):
        assert Webhook(secret).verify(body, headers) == {"type": "bot.called"}
    with pytest.raises(WebhookVerificationError):
        Webhook(new_secret()).verify(body, headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(first).verify(body, dict(headers, **{"webhook-id": "msg_2"}))


def _message(seq: int, kind: AuthorKind, body: str) -> Message:
    return Message(
        f"m{seq}", "o", "i", Room.PUBLIC, seq, MessageKind.MESSAGE, Channel.CHAT, kind,
        "a", "A", body, NOW,
    )  # fmt: skip


def test_an_extractive_summary_takes_sentences_as_written() -> None:
    summary = summarize([
        _message(1, AuthorKind.CUSTOMER, "My parcel is late. It was due Monday."),
        _message(2, AuthorKind.AGENT, "Thanks for waiting. I checked with the carrier."),
        _message(3, AuthorKind.CUSTOMER, "Can you send a new one?"),
    ])  # fmt: skip
    assert summary.request == ["My parcel is late.", "It was due Monday."]
    assert summary.tried == ["I checked with the carrier."]
    assert summary.open == ["Can you send a new one?"]
    assert "Method: extractive" in summary.as_text()


def test_asking_for_a_person() -> None:
    for text in ("Talk to a person", "can I speak with a human?", "agent", "human please"):
        assert wants_person(text), text
    for text in ("my agent code is 12", "the person who delivered it was rude"):
        assert not wants_person(text), text


def _situation(**changes: object) -> Situation:
    base = {
        "bot_name": "Ava", "greeting": "Hi!", "topics": (Topic("Billing", "t1"),),
        "text": "Hello", "first_turn": True, "needs_contact": False, "articles": (),
        "team_open": True, "team_back_at": "Mon 09:00 (UTC)",
    }  # fmt: skip
    return Situation(**{**base, **changes})  # type: ignore[arg-type]


def test_the_welcome_bots_turns() -> None:
    first = next_turn(_situation())
    assert first.replies == ["Hi!", "What is it about?\nChoose: Billing | Talk to a person"]
    assert first.hand_off is None
    article = Found("Invoices", "https://x/kb/o/1", "Find them under Billing.")
    answered = next_turn(_situation(text="Billing", first_turn=False, articles=(article,)))
    assert answered.team_id == "t1" and "Invoices" in answered.replies[0]
    assert answered.replies[0].endswith("Choose: That helped | Talk to a person")
    lost = next_turn(_situation(text="Billing", first_turn=False))
    assert lost.hand_off == "it has no article about Billing" and lost.team_id == "t1"
    away = next_turn(_situation(team_open=False, needs_contact=True))
    assert "back Mon 09:00 (UTC)" in away.replies[0] and "email address" in away.replies[0]


def test_team_hours() -> None:
    hours = "Mon-Fri 09:00-17:00"
    assert is_open(hours, "UTC", NOW) and is_open(None, "UTC", NOW)
    saturday = NOW + timedelta(days=3)
    assert not is_open(hours, "UTC", saturday)
    assert back_at_text(hours, "UTC", saturday) == "Mon 09:00 (UTC)"
    assert back_at_text(hours, "Asia/Tokyo", NOW) == "Thu 09:00 (Asia/Tokyo)"  # 19:00 there


def test_search_words_are_safe_for_either_index() -> None:
    assert query_words('Reset "password" OR NEAR(x) -- ; DROP') == [
        "reset", "password", "or", "near", "drop",
    ]  # fmt: skip
    assert query_words("a ! ?") == []


def test_a_bots_answer() -> None:
    assert read_answer(b"") == ([], False)
    assert read_answer(b'{"body": "Hi"}') == (["Hi"], False)
    assert read_answer(b'{"replies": ["a", " "], "hand_off": true}') == (["a"], True)
    for bad in (b"<html>", b"[1]", b'{"replies": [1]}', b'{"hand_off": "yes"}'):
        with pytest.raises(InvalidInput):
            read_answer(bad)
