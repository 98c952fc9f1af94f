"""Helpers shared by the use cases."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime

from caseroom.domain.errors import Forbidden, NotFound
from caseroom.domain.ids import new_id
from caseroom.domain.model import (
    Activity,
    AgentPrincipal,
    AuthorKind,
    CustomerPrincipal,
    Issue,
    Principal,
)
from caseroom.domain.visibility import can_see_issue
from caseroom.storage.uow import UnitOfWork


def utcnow() -> datetime:
    return datetime.now(UTC)


def actor_of(principal: Principal) -> tuple[AuthorKind, str, str]:
    """(kind, id, display name) of whoever acts."""
    actor = principal.actor
    return actor.kind, actor.id, actor.name


def require_agent(principal: Principal) -> AgentPrincipal:
    if not isinstance(principal, AgentPrincipal):
        raise Forbidden("only agents may do this")
    return principal


def require_admin(principal: Principal) -> AgentPrincipal:
    agent = require_agent(principal)
    if not agent.is_admin:
        raise Forbidden("only admins may do this")
    return agent


async def access_issue(
    principal: Principal, uow: UnitOfWork, issue_id: str, *, for_update: bool = False
) -> Issue:
    """Load an Issue the principal may see. Missing and hidden look the same (404)."""
    issue = await uow.issues.get(principal.org_id, issue_id, for_update=for_update)
    if issue is None or not can_see_issue(principal, issue):
        raise NotFound("no such Issue")
    return issue


async def record(
    uow: UnitOfWork,
    issue: Issue,
    principal: Principal | None,
    action: str,
    detail: Mapping[str, object] | None = None,
    *,
    now: datetime,
) -> Activity:
    """Append to the Issue's activity log."""
    if principal is None:
        kind, actor_id = AuthorKind.SYSTEM, None
    else:
        kind, actor_id, _ = actor_of(principal)
    entry = Activity(
        new_id(), issue.org_id, issue.id, kind, actor_id, action, dict(detail or {}), now
    )
    await uow.activity.add(entry)
    return entry


__all__ = [
    "CustomerPrincipal",
    "access_issue",
    "actor_of",
    "record",
    "require_admin",
    "require_agent",
    "utcnow",
]
