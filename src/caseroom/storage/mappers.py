"""Rows to domain objects."""

from __future__ import annotations

from typing import Any

from caseroom.domain.model import (
    Activity,
    Agent,
    AuthorKind,
    Channel,
    Customer,
    GivenContact,
    Issue,
    IssueStatus,
    Message,
    MessageKind,
    Organization,
    Role,
    Room,
    Surface,
    Team,
)


def to_organization(row: Any) -> Organization:
    return Organization(
        row.id, row.slug, row.name, row.max_open_issues_per_agent, row.claim_on_reply
    )


def to_agent(row: Any, team_ids: tuple[str, ...] = ()) -> Agent:
    return Agent(
        row.id, row.org_id, row.email, row.name, Role(row.role), row.active, team_ids, row.locale
    )


def to_team(row: Any) -> Team:
    return Team(row.id, row.org_id, row.name, row.hours, row.timezone)


def to_customer(row: Any) -> Customer:
    return Customer(row.id, row.org_id, row.name, row.email, row.phone, row.external_id)


def to_issue(row: Any, watcher_ids: tuple[str, ...] = ()) -> Issue:
    return Issue(
        id=row.id,
        org_id=row.org_id,
        reference=row.reference,
        subject=row.subject,
        status=IssueStatus(row.status),
        customer_id=row.customer_id,
        source_channel=Channel(row.source_channel),
        created_at=row.created_at,
        owner_agent_id=row.owner_agent_id,
        team_id=row.team_id,
        tags=tuple(row.tags or ()),
        watcher_ids=watcher_ids,
        claimed_at=row.claimed_at,
        resolved_at=row.resolved_at,
        public_seq=row.public_seq,
        private_seq=row.private_seq,
        last_message_at=row.last_message_at,
        waiting_since=row.waiting_since,
        linked_issue_id=row.linked_issue_id,
        given_contact=GivenContact(**row.given_contact) if row.given_contact else None,
        reply_channel=Channel(row.reply_channel),
        reply_address=row.reply_address,
        priority=row.priority,
        surface=Surface(row.surface) if row.surface else None,
    )


def to_message(row: Any) -> Message:
    return Message(
        id=row.id,
        org_id=row.org_id,
        issue_id=row.issue_id,
        room=Room(row.room),
        seq=row.seq,
        kind=MessageKind(row.kind),
        channel=Channel(row.channel),
        author_kind=AuthorKind(row.author_kind),
        author_id=row.author_id,
        author_name=row.author_name,
        body=row.body,
        created_at=row.created_at,
        idempotency_key=row.idempotency_key,
        edited_at=row.edited_at,
        deleted_at=row.deleted_at,
        redacted_at=row.redacted_at,
        change_seq=row.change_seq,
    )


def to_activity(row: Any) -> Activity:
    return Activity(
        row.id,
        row.org_id,
        row.issue_id,
        AuthorKind(row.actor_kind),
        row.actor_id,
        row.action,
        dict(row.detail or {}),
        row.created_at,
    )
