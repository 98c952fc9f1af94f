"""The audit log: who did what to the organization's setup, and every sign-in."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from caseroom.domain.model import AgentPrincipal


class ActorKind(StrEnum):
    AGENT = "agent"  # an admin through the API or console, or anyone signing in
    OPERATOR = "operator"  # someone with a shell on the server (the caseroom command)
    SETUP = "setup"  # the first-run page
    ANONYMOUS = "anonymous"  # not signed in: a failed sign-in to an account


@dataclass(frozen=True, slots=True)
class Actor:
    kind: ActorKind
    id: str | None
    name: str
    client_address: str | None = None


def agent_actor(principal: AgentPrincipal) -> Actor:
    agent = principal.agent
    return Actor(ActorKind.AGENT, agent.id, agent.name, principal.client_address)


def operator_actor(name: str) -> Actor:
    return Actor(ActorKind.OPERATOR, None, name, "cli")


@dataclass(frozen=True, slots=True)
class AuditEntry:
    id: str
    org_id: str
    actor: Actor
    action: str  # noun.verb: agent.invite, team.update, auth.sign_in, ...
    target_kind: str | None
    target_id: str | None
    detail: dict[str, object] = field(default_factory=dict)
    created_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class AuditFilter:
    action: str | None = None  # exact, or a prefix ending in "." (agent.)
    actor_id: str | None = None
    target_id: str | None = None
    since: datetime | None = None
    until: datetime | None = None
