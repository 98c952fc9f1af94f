"""What goes into a transcript, and who may receive the event announcing one."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

from caseroom.domain import events
from caseroom.domain.model import (
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
from caseroom.domain.transcript import Audience, TranscriptFormat, build_transcript

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
    assert transcript.agents == ("Ana Agent",)
    assert transcript.customer == "Casey <casey@example.test>"
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


def test_the_transcript_event_never_reaches_a_customer() -> None:
    event = events.transcripts_filed(ISSUE, {"version": 1, "transcripts": []})
    customer = CustomerPrincipal("org", CUSTOMER)
    assert events.view_for(customer, event) is None
    assert events.view_for(customer, events.Event.from_wire(event.to_wire())) is None
    assert events.view_for(AgentPrincipal("org", ANA), event) is not None
