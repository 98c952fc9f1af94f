"""What a client is told about a frame the stream cannot take."""

from __future__ import annotations

import json

import pytest

from caseroom.domain.model import MessageKind, Room
from caseroom.web.stream.frames import BadFrame, Send, Subscribe, parse_frame


@pytest.mark.parametrize(
    ("raw", "detail"),
    [
        ("nope", "bad frame: Invalid JSON: expected ident at line 1 column 2"),
        ("[1]", "bad frame: Input should be an object"),
        ("{}", "bad frame: it needs a type"),
        ('{"type": "dance"}', "unknown frame type 'dance'"),
        ('{"type": "subscribe"}', "subscribe needs issue_id and room"),
        ('{"type": "send", "issue_id": "i"}', "send needs room, body and idempotency_key"),
        (
            '{"type": "typing", "issue_id": "i", "room": "lobby"}',
            "bad frame: typing.room: Input should be 'public' or 'private'",
        ),
        ('{"type": "ping", "body": "x"}', "bad frame: ping has no field 'body'"),
        ('{"type": "hello"}', "hello needs token"),
    ],
)
def test_a_bad_frame_says_what_is_wrong(raw: str, detail: str) -> None:
    with pytest.raises(BadFrame) as caught:
        parse_frame(raw)
    assert caught.value.detail == detail


def test_a_bad_frame_keeps_its_ref_when_it_has_a_usable_one() -> None:
    with pytest.raises(BadFrame) as caught:
        parse_frame('{"type": "subscribe", "ref": "r1", "issue_id": "i", "room": "x"}')
    assert caught.value.ref == "r1"
    with pytest.raises(BadFrame) as caught:
        parse_frame('{"type": "subscribe", "ref": 7}')
    assert caught.value.ref is None


def test_each_type_parses_to_its_own_model_with_its_defaults() -> None:
    send = parse_frame(
        '{"type": "send", "issue_id": "i", "room": "public", "body": "hi", '
        '"idempotency_key": "key-12345"}'
    )
    assert isinstance(send, Send) and send.kind is MessageKind.MESSAGE and send.ref is None
    subscribe = parse_frame('{"type": "subscribe", "issue_id": "i", "room": "private"}')
    assert isinstance(subscribe, Subscribe)
    assert subscribe.room is Room.PRIVATE and subscribe.after is None


def test_a_send_names_only_a_channel_a_sender_may_choose() -> None:
    frame = {"type": "send", "issue_id": "i1", "room": "public", "body": "hi"}
    chosen = parse_frame(json.dumps({**frame, "channel": "sms", "idempotency_key": "k" * 8}))
    assert chosen.channel == "sms"  # type: ignore[union-attr]
    with pytest.raises(BadFrame) as refused:
        parse_frame(json.dumps({**frame, "channel": "system", "idempotency_key": "k" * 8}))
    assert "channel" in refused.value.detail
