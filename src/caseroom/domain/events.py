"""Domain events. One shape for websockets and webhooks: a `type`, a `version`,
the scope that decides who may receive it, and a payload."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime
from typing import Any, assert_never

from caseroom.domain.delivery import Delivery, Receipt
from caseroom.domain.model import (
    AgentPrincipal,
    Attachment,
    BotPrincipal,
    CustomerPrincipal,
    Issue,
    Message,
    MessageKind,
    Notification,
    Principal,
    Room,
)
from caseroom.domain.visibility import Scope, issue_scope, may_see

EVENT_VERSION = 1


@dataclass(frozen=True, slots=True)
class Event:
    type: str
    scope: Scope
    issue_id: str
    payload: dict[str, Any]
    room: Room | None = None
    seq: int | None = None

    def to_wire(self) -> dict[str, Any]:
        wire: dict[str, Any] = {
            "type": self.type,
            "version": EVENT_VERSION,
            "org_id": self.scope.org_id,
            "issue_customer_id": self.scope.issue_customer_id,
            "issue_id": self.issue_id,
            "room": self.room.value if self.room else None,
            "kind": self.scope.kind.value if self.scope.kind else None,
            "seq": self.seq,
            "recipient_id": self.scope.agent_id,
            "payload": self.payload,
        }
        if self.scope.connection_id is not None:
            wire["connection_id"] = self.scope.connection_id
        return wire

    @classmethod
    def from_wire(cls, data: dict[str, Any]) -> Event:
        room = Room(data["room"]) if data.get("room") else None
        kind = MessageKind(data["kind"]) if data.get("kind") else None
        return cls(
            type=data["type"],
            scope=Scope(
                data["org_id"],
                data["issue_id"],
                data["issue_customer_id"],
                room,
                kind,
                data.get("recipient_id"),
                data.get("connection_id"),
            ),
            issue_id=data["issue_id"],
            payload=data["payload"],
            room=room,
            seq=data.get("seq"),
        )


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def message_payload(message: Message) -> dict[str, Any]:
    return {
        "id": message.id,
        "issue_id": message.issue_id,
        "room": message.room.value,
        "seq": message.seq,
        "kind": message.kind.value,
        "channel": message.channel.value,
        "author": {
            "kind": message.author_kind.value,
            "id": message.author_id,
            "name": message.author_name,
        },
        "body": message.body,
        "created_at": _iso(message.created_at),
        "idempotency_key": message.idempotency_key,
        "edited_at": _iso(message.edited_at),
        "deleted_at": _iso(message.deleted_at),
        "redacted_at": _iso(message.redacted_at),
        "change_seq": message.change_seq,
        "attachments": [attachment_payload(a) for a in message.attachments],
    }


def attachment_payload(attachment: Attachment) -> dict[str, Any]:
    """A file as a message carries it; the bytes are at `download_path`."""
    return {
        "id": attachment.id,
        "filename": attachment.filename,
        "content_type": attachment.content_type,
        "size": attachment.size,
        "download_path": (
            f"/api/v1/issues/{attachment.issue_id}/attachments/{attachment.id}/content"
        ),
    }


def customer_message_payload(data: dict[str, Any]) -> dict[str, Any]:
    """The Customer's view of a message: `change_seq` counts changes to the whole
    Issue (notes included), so its gaps are not theirs to see."""
    return {key: value for key, value in data.items() if key != "change_seq"}


def issue_payload(issue: Issue) -> dict[str, Any]:
    """The agent's view of an Issue."""
    return {
        "id": issue.id,
        "reference": issue.reference,
        "subject": issue.subject,
        "status": issue.status.value,
        "customer_id": issue.customer_id,
        "owner_agent_id": issue.owner_agent_id,
        "team_id": issue.team_id,
        "source_channel": issue.source_channel.value,
        "tags": list(issue.tags),
        "watcher_ids": list(issue.watcher_ids),
        "created_at": _iso(issue.created_at),
        "claimed_at": _iso(issue.claimed_at),
        "resolved_at": _iso(issue.resolved_at),
        "last_message_at": _iso(issue.last_message_at),
        "waiting_since": _iso(issue.waiting_since),
        "linked_issue_id": issue.linked_issue_id,
        "given_contact": issue.given_contact.as_dict() if issue.given_contact else None,
        "reply_channel": issue.reply_channel.value,
        "priority": issue.priority,
        "surface": issue.surface.value if issue.surface else None,
        "last_seq": {"public": issue.public_seq, "private": issue.private_seq},
    }


CUSTOMER_ISSUE_FIELDS = ("id", "reference", "subject", "status", "created_at", "resolved_at")


def customer_issue_payload(issue_data: dict[str, Any]) -> dict[str, Any]:
    """The Customer's view of an Issue: no owners, watchers, tags or private counters."""
    view = {key: issue_data[key] for key in CUSTOMER_ISSUE_FIELDS}
    view["last_seq"] = {"public": issue_data["last_seq"]["public"]}
    return view


def message_created(issue: Issue, message: Message) -> Event:
    return Event(
        type="message.created",
        scope=issue_scope(issue, message.room, message.kind),
        issue_id=issue.id,
        payload={"message": message_payload(message)},
        room=message.room,
        seq=message.seq,
    )


def issue_changed(event_type: str, issue: Issue, changes: list[str]) -> Event:
    return Event(
        type=event_type,
        scope=issue_scope(issue),
        issue_id=issue.id,
        payload={"issue": issue_payload(issue), "changes": changes},
    )


def transcripts_filed(issue: Issue, payload: dict[str, Any]) -> Event:
    """Transcripts are agents-only content: scoped to the private room so that the
    visibility rule keeps them from Customers on every delivery path."""
    return Event(
        type="transcript.filed",
        scope=issue_scope(issue, Room.PRIVATE),
        issue_id=issue.id,
        payload=payload,
        room=Room.PRIVATE,
    )


def transcripts_rerendered(issue: Issue, payload: dict[str, Any]) -> Event:
    """Filed transcripts were rendered again (after a redaction): agents-only, like
    their filing."""
    return Event(
        type="transcript.rerendered",
        scope=issue_scope(issue, Room.PRIVATE),
        issue_id=issue.id,
        payload=payload,
        room=Room.PRIVATE,
    )


def typing(issue: Issue, room: Room, who: dict[str, Any]) -> Event:
    return Event(
        type="typing",
        scope=issue_scope(issue, room, MessageKind.MESSAGE),
        issue_id=issue.id,
        payload={"who": who},
        room=room,
    )


MESSAGE_CHANGES = ("message.updated", "message.deleted", "message.redacted")


def message_changed(event_type: str, issue: Issue, message: Message) -> Event:
    """An existing message changed: edited or deleted (notes), or redacted. Not
    sequenced (the room's numbers count new messages); `change_seq` orders them."""
    assert event_type in MESSAGE_CHANGES
    return Event(
        type=event_type,
        scope=issue_scope(issue, message.room, message.kind),
        issue_id=issue.id,
        payload={"message": message_payload(message)},
        room=message.room,
    )


def notification_created(issue: Issue, notification: Notification, message: Message) -> Event:
    """Only the notified agent receives it, on every socket they have open."""
    scope = issue_scope(issue, message.room, message.kind)
    return Event(
        type="notification.created",
        scope=dataclasses.replace(scope, agent_id=notification.agent_id),
        issue_id=issue.id,
        payload={"notification": notification_payload(notification, issue, message)},
        room=message.room,
    )


def notification_payload(
    notification: Notification, issue: Issue, message: Message | None
) -> dict[str, Any]:
    return {
        "id": notification.id,
        "kind": notification.kind.value,
        "issue_id": notification.issue_id,
        "issue_reference": issue.reference,
        "issue_subject": issue.subject,
        "message_id": notification.message_id,
        "actor_id": notification.actor_id,
        "created_at": _iso(notification.created_at),
        "read_at": _iso(notification.read_at),
        "message": message_payload(message) if message else None,
    }


def sees_as_agent(principal: Principal) -> bool:
    """Agents, and bots that read the private room (an assist bot), get the agent's
    view of an Issue; everyone else the Customer's."""
    match principal:
        case AgentPrincipal():
            return True
        case CustomerPrincipal():
            return False
        case BotPrincipal():
            return Room.PRIVATE in principal.grant.read_rooms
        case _:
            assert_never(principal)


def view_for(
    principal: Principal, event: Event, *, connection_id: str | None = None
) -> dict[str, Any] | None:
    """The wire form of `event` as `principal` may receive it (on the connection
    `connection_id`, if any), or None if they may not."""
    if not may_see(principal, event.scope, connection_id=connection_id):
        return None
    wire = event.to_wire()
    del wire["issue_customer_id"]
    if sees_as_agent(principal):
        return wire
    if "issue" in event.payload:
        wire["payload"] = {
            "issue": customer_issue_payload(event.payload["issue"]),
            "changes": [c for c in event.payload["changes"] if c in CUSTOMER_ISSUE_FIELDS],
        }
    if "message" in event.payload:
        wire["payload"] = {"message": customer_message_payload(event.payload["message"])}
    return wire


def delivery_payload(delivery: Delivery) -> dict[str, Any]:
    return {
        "id": delivery.id,
        "message_id": delivery.message_id,
        "channel": delivery.channel.value,
        "recipient": delivery.recipient,
        "state": delivery.state.value,
        "provider_id": delivery.provider_id,
        "error_code": delivery.error_code,
        "error": delivery.error,
        "updated_at": _iso(delivery.updated_at),
    }


def delivery_updated(issue: Issue, delivery: Delivery) -> Event:
    """A message's delivery through a channel changed state. Recipients' addresses
    and providers' errors are for agents: scoped to the private room."""
    return Event(
        type="message.delivery_updated",
        scope=issue_scope(issue, Room.PRIVATE),
        issue_id=issue.id,
        payload={"delivery": delivery_payload(delivery)},
        room=Room.PRIVATE,
    )


def receipt_updated(issue: Issue, room: Room, receipt: Receipt) -> Event:
    """A reader got or read a room's messages up to a number: the Customer's marks
    reach agents, agents' reads reach the Customer (their "seen")."""
    return Event(
        type="receipt.updated",
        scope=issue_scope(issue, room, MessageKind.MESSAGE),
        issue_id=issue.id,
        payload={"receipt": receipt_payload(receipt)},
        room=room,
    )


def receipt_payload(receipt: Receipt) -> dict[str, Any]:
    return {
        "reader": {"kind": receipt.reader_kind, "id": receipt.reader_id},
        "delivered_seq": receipt.delivered_seq,
        "read_seq": receipt.read_seq,
    }


PRESENCE_STATES = ("online", "away", "left")


def presence_updated(issue: Issue, customer_id: str, state: str, at: datetime) -> Event:
    """Whether the Customer has the conversation open (`online`), open but hidden
    (`away`), or closed (`left`). Ephemeral, for agents: the Issue header and the
    inbox card."""
    assert state in PRESENCE_STATES
    return Event(
        type="presence.updated",
        scope=issue_scope(issue, Room.PRIVATE),
        issue_id=issue.id,
        payload={"presence": {"customer_id": customer_id, "state": state, "at": _iso(at)}},
        room=Room.PRIVATE,
    )


AGENT_PRESENCE_STATES = ("viewing", "left")


def agent_presence(issue: Issue, agent_id: str, name: str, state: str, at: datetime) -> Event:
    """An agent has the Issue open (`viewing`) or closed it (`left`): shown to the
    other agents, so that two of them do not answer one Customer. Ephemeral."""
    assert state in AGENT_PRESENCE_STATES
    return Event(
        type="agent.presence",
        scope=issue_scope(issue, Room.PRIVATE),
        issue_id=issue.id,
        payload={"agent": {"id": agent_id, "name": name}, "state": state, "at": _iso(at)},
        room=Room.PRIVATE,
    )


SESSION_ENDED = "session.ended"


def session_ended(org_id: str, agent_id: str, reason: str) -> Event:
    """The agent was signed out (deactivated, or their password changed): each of
    their open sockets is told, then closed. Addressed to them; no Issue."""
    return Event(
        type=SESSION_ENDED,
        scope=Scope(org_id, "", "", agent_id=agent_id),
        issue_id="",
        payload={"reason": reason},
    )
