"""What goes into a transcript, and who may receive the event announcing one."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

from caseroom.domain import events
from caseroom.domain.model import (
    Activity,
    Agent,
    AgentPrincipal,
    Attachment,
    AuthorKind,
    Channel,
    Customer,
    CustomerPrincipal,
    Issue,
    IssueStatus,
    Message,
    MessageKind,
    Organization,
    Role,
    Room,
)
from caseroom.domain.transcript import (
    Audience,
    TranscriptFormat,
    as_they_stood,
    build_transcript,
)

NOW = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
ORG = Organization("org", "acme", "Acme Ltd")
ANA = Agent("ana", "org", "ana@acme.test", "Ana Agent", Role.AGENT)
BEN = Agent("ben", "org", "ben@acme.test", "Ben Agent", Role.AGENT)
CUSTOMER = Customer("cust", "org", "Casey", email="casey@example.test")
ISSUE = Issue(
    "issue", "org", "K7PX2M", "Late parcel", IssueStatus.RESOLVED, "cust", Channel.CHAT, NOW,
    owner_agent_id="ana",
)  # fmt: skip


def message(seq: int, kind: MessageKind, author: AuthorKind, body: str, room: Room = Room.PUBLIC,
            files: tuple[str, ...] = ()) -> Message:  # fmt: skip
    names = {AuthorKind.AGENT: ("ana", "Ana Agent"), AuthorKind.CUSTOMER: ("cust", "Casey")}
    author_id, name = names.get(author, (None, author.value))
    base = Message(
        f"m{seq}", "org", "issue", room, seq, kind, Channel.CHAT, author, author_id, name, body,
        NOW + timedelta(minutes=seq),
    )  # fmt: skip
    attachments = tuple(
        Attachment(
            f"a{seq}{n}",
            "org",
            "issue",
            base.id,
            room,
            kind,
            n,
            "image/png",
            1,
            "0" * 64,
            base.created_at,
            author,
            author_id,
            name,
        )
        for n in files
    )
    return dataclasses.replace(base, attachments=attachments)


MESSAGES = [
    message(3, MessageKind.NOTE, AuthorKind.AGENT, "VIP customer, be generous"),
    message(1, MessageKind.MESSAGE, AuthorKind.CUSTOMER, "Card 4111 1111 1111 1111 was charged"),
    message(2, MessageKind.MESSAGE, AuthorKind.BOT, "An agent is on the way"),
    message(4, MessageKind.EVENT, AuthorKind.SYSTEM, "Ana Agent claimed the Issue"),
    message(5, MessageKind.MESSAGE, AuthorKind.AGENT, "Refunded", files=("refund.pdf",)),
    message(1, MessageKind.MESSAGE, AuthorKind.AGENT, "private chatter", room=Room.PRIVATE),
]


def build(audience: Audience, room: Room = Room.PUBLIC, redact=lambda s: s):  # type: ignore[no-untyped-def]
    return build_transcript(
        organization=ORG, issue=ISSUE, customer=CUSTOMER, agents=[ANA, BEN], room=room,
        audience=audience, messages=MESSAGES, resolved_at=NOW, generated_at=NOW, version=2,
        redact=redact,
    )  # fmt: skip


def test_the_agents_record_holds_every_kind_in_sequence_order_with_notes_marked() -> None:
    transcript = build(Audience.AGENTS)
    assert [e.seq for e in transcript.entries] == [1, 2, 3, 4, 5]
    labels = [e.label for e in transcript.entries]
    assert labels == ["Customer", "Bot", "Note (agents only)", "Event", "Agent"]
    assert transcript.entries[-1].files == ("refund.pdf",)
    assert transcript.head.agents == ("Ana Agent",)
    assert transcript.head.customer == "Casey <casey@example.test>"
    assert transcript.filename(TranscriptFormat.PDF) == "K7PX2M-public-transcript-v2.pdf"


def test_the_customer_copy_has_no_notes_and_no_private_room() -> None:
    transcript = build(Audience.CUSTOMER)
    assert [e.body for e in transcript.entries if e.kind is MessageKind.NOTE] == []
    assert "VIP" not in " ".join(e.body for e in transcript.entries)
    assert build(Audience.CUSTOMER, Room.PRIVATE).entries == ()
    assert transcript.title == "K7PX2M · Conversation transcript"


def test_the_private_room_has_only_its_own_messages() -> None:
    transcript = build(Audience.AGENTS, Room.PRIVATE)
    assert [e.body for e in transcript.entries] == ["private chatter"]


def test_redaction_applies_to_every_body_and_the_subject() -> None:
    transcript = build(Audience.AGENTS, redact=lambda s: s.replace("4111 1111 1111 1111", "[card]"))
    assert transcript.entries[0].body == "Card [card] was charged"


def test_the_transcript_events_never_reach_a_customer() -> None:
    for event in (
        events.transcripts_filed(ISSUE, {"version": 1, "transcripts": []}),
        events.transcripts_rerendered(ISSUE, {"transcripts": []}),
    ):
        customer = CustomerPrincipal("org", CUSTOMER)
        assert events.view_for(customer, event) is None
        assert events.view_for(customer, events.Event.from_wire(event.to_wire())) is None
        assert events.view_for(AgentPrincipal("org", ANA), event) is not None


def test_a_deleted_note_leaves_the_record() -> None:
    gone = dataclasses.replace(MESSAGES[0], body="", deleted_at=NOW)
    transcript = build_transcript(
        organization=ORG, issue=ISSUE, customer=CUSTOMER, agents=[ANA], room=Room.PUBLIC,
        audience=Audience.AGENTS, messages=[gone, *MESSAGES[1:]], resolved_at=NOW,
        generated_at=NOW, version=1, redact=lambda s: s,
    )  # fmt: skip
    assert [e.seq for e in transcript.entries] == [1, 2, 4, 5]


def log(minute: int, action: str, message_id: str, **detail: object) -> Activity:
    when = NOW + timedelta(minutes=minute)
    return Activity(f"e{minute}", "org", "issue", AuthorKind.AGENT, "ana", action,
                    {"message_id": message_id, **detail}, when)  # fmt: skip


def test_notes_read_as_they_stood_at_a_time() -> None:
    at = NOW + timedelta(minutes=10)
    note = message(3, MessageKind.NOTE, AuthorKind.AGENT, "third text")
    note = dataclasses.replace(note, edited_at=NOW + timedelta(minutes=20))
    other = message(4, MessageKind.NOTE, AuthorKind.AGENT, "")
    other = dataclasses.replace(other, deleted_at=NOW + timedelta(minutes=30))
    gone_before = message(5, MessageKind.NOTE, AuthorKind.AGENT, "")
    gone_before = dataclasses.replace(gone_before, deleted_at=NOW + timedelta(minutes=6))
    history = [
        log(5, "note.edited", "m3", previous_body="first text"),
        log(20, "note.edited", "m3", previous_body="second text"),
        log(25, "note.edited", "m3", previous_body="never seen at ten"),
        log(30, "note.deleted", "m4", body="said at ten"),
        log(6, "note.deleted", "m5", body="gone before ten"),
        log(11, "message.redacted", "m3", secrets=1),
    ]
    stood = as_they_stood([note, other, gone_before], history, at)
    assert [m.body for m in stood] == ["second text", "said at ten", ""]
    assert stood[0].edited_at == NOW + timedelta(minutes=5)
    assert stood[1].deleted_at is None and stood[2].deleted_at == gone_before.deleted_at
    # Nothing changed since: the messages as they are.
    assert as_they_stood([note], history, NOW + timedelta(minutes=40)) == [note]


def _logged(action: str, minutes: int, **detail: object) -> Activity:
    return Activity(
        f"act-{action}", "org", "issue", AuthorKind.AGENT, "ana", action, dict(detail),
        NOW + timedelta(minutes=minutes, seconds=30),
    )  # fmt: skip


def test_mentions_read_as_names_and_lifecycle_events_stand_in_time_order() -> None:
    said = [
        message(1, MessageKind.MESSAGE, AuthorKind.CUSTOMER, "Hello"),
        message(2, MessageKind.NOTE, AuthorKind.AGENT, "@[Ben Agent] can you check?"),
        message(3, MessageKind.MESSAGE, AuthorKind.AGENT, "Refunded"),
    ]
    history = [
        _logged("claim", 1, owner_agent_id="ana"),
        _logged("assign", 2, owner_agent_id="ben"),
        _logged("watch", 2, agent_id="ben"),
        _logged("resolve", 3, owner_agent_id="ben"),
    ]
    common = dict(organization=ORG, issue=ISSUE, customer=CUSTOMER, agents=[ANA, BEN],
                  room=Room.PUBLIC, messages=said, resolved_at=NOW, generated_at=NOW,
                  version=1, redact=lambda s: s, history=history)  # fmt: skip
    record = build_transcript(audience=Audience.AGENTS, **common)  # type: ignore[arg-type]
    assert [e.body for e in record.entries] == [
        "Hello",
        "Ana Agent claimed the Issue",
        "@Ben Agent can you check?",
        "Ana Agent assigned the Issue to Ben Agent",
        "Refunded",
        "Ana Agent resolved the Issue",
    ]
    copy = build_transcript(audience=Audience.CUSTOMER, **common)  # type: ignore[arg-type]
    assert [e.body for e in copy.entries] == ["Hello", "Refunded"]


def test_an_empty_room_says_why_its_transcript_is_there() -> None:
    from caseroom.rendering.transcript_html import render_html

    empty = build_transcript(
        organization=ORG, issue=ISSUE, customer=CUSTOMER, agents=[ANA], room=Room.PRIVATE,
        audience=Audience.AGENTS, messages=[], resolved_at=NOW, generated_at=NOW, version=1,
        redact=lambda s: s,
    )  # fmt: skip
    assert "Nothing was written in this room" in render_html(empty).decode()
