"""Notifications: @mentions in the private room, listed and marked read."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from caseroom.domain import events
from caseroom.domain.errors import InvalidInput, NotFound
from caseroom.domain.ids import new_id
from caseroom.domain.mentions import mention_text, parse_mentions, resolve_mentions, suggest_agents
from caseroom.domain.model import (
    Agent,
    AgentPrincipal,
    Issue,
    Message,
    Notification,
    NotificationKind,
    Principal,
    Room,
)
from caseroom.services.common import record, require_agent, utcnow
from caseroom.services.issues import add_watcher
from caseroom.storage.uow import UnitOfWork


async def do_notify_mentions(
    uow: UnitOfWork, principal: AgentPrincipal, issue: Issue, message: Message
) -> Issue:
    """Notify each active agent of the organization that `message` mentions (once
    per message, never the author), and make them a watcher. Only private-room
    text is read for mentions; anything that names nobody stays plain text."""
    if message.room is not Room.PRIVATE or not parse_mentions(message.body):
        return issue
    now = utcnow()
    for agent in resolve_mentions(message.body, await uow.agents.list(issue.org_id)):
        kind = NotificationKind.MENTION
        if agent.id == principal.agent.id or await uow.notifications.exists(
            issue.org_id, agent.id, message.id, kind
        ):
            continue
        notification = Notification(
            new_id(), issue.org_id, agent.id, kind, issue.id, message.id, principal.agent.id, now
        )
        await uow.notifications.add(notification)
        await record(
            uow,
            issue,
            principal,
            "mention",
            {"agent_id": agent.id, "message_id": message.id},
            now=now,
        )
        issue = await add_watcher(uow, principal, issue, agent.id, now)
        uow.emit(events.notification_created(issue, notification, message))
    return issue


@dataclass(frozen=True, slots=True)
class NotificationView:
    notification: Notification
    issue: Issue
    message: Message | None


async def list_notifications(
    principal: Principal, uow: UnitOfWork, *, unread_only: bool, cursor: str | None, limit: int
) -> list[NotificationView]:
    """The agent's own notifications, newest first, each with its Issue and the
    message as it reads now (edited, deleted or redacted text included)."""
    agent = require_agent(principal).agent
    found = await uow.notifications.for_agent(
        agent.org_id, agent.id, unread_only=unread_only, cursor=cursor, limit=limit
    )
    views = []
    for notification in found:
        issue = await uow.issues.get(agent.org_id, notification.issue_id)
        if issue is None:
            continue
        message = await uow.messages.get(agent.org_id, notification.message_id)
        views.append(NotificationView(notification, issue, message))
    return views


async def count_unread(principal: Principal, uow: UnitOfWork) -> int:
    agent = require_agent(principal).agent
    return await uow.notifications.count_unread(agent.org_id, agent.id)


async def mark_read(principal: Principal, uow: UnitOfWork, ids: Sequence[str] | None) -> int:
    """Mark the agent's notifications read (all of them when `ids` is None). An id
    that is not theirs is refused and nothing is marked."""
    agent = require_agent(principal).agent
    if ids is not None:
        if not ids:
            raise InvalidInput("give at least one notification id, or all=true", field="ids")
        unknown = sorted(set(ids) - await uow.notifications.owned(agent.org_id, agent.id, ids))
        if unknown:
            raise NotFound("no such notification", field="ids", ids=unknown)
    return await uow.notifications.mark_read(agent.org_id, agent.id, ids, utcnow())


@dataclass(frozen=True, slots=True)
class Suggestion:
    agent: Agent
    mention: str


async def suggest_mentions(
    principal: Principal, uow: UnitOfWork, query: str, limit: int
) -> list[Suggestion]:
    """Agents to offer while someone types `@…` in the private room."""
    require_agent(principal)
    agents = await uow.agents.list(principal.org_id)
    return [Suggestion(a, mention_text(a, agents)) for a in suggest_agents(agents, query, limit)]
