"""Bodies of the admin API (agents, teams, audit log) and of the first-run and
invitation pages."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from caseroom.domain.audit import AuditEntry
from caseroom.services.admin_agents import AgentRow
from caseroom.services.admin_teams import TeamView
from caseroom.web.schemas import AgentOut, Strict

RoleName = Literal["admin", "agent"]


class AgentInvite(Strict):
    email: str = Field(max_length=320)
    name: str = Field(max_length=200)
    role: RoleName = "agent"
    team_ids: list[str] = Field(default_factory=list, max_length=100)


class AgentPatch(Strict):
    name: str | None = Field(default=None, max_length=200)
    role: RoleName | None = None
    team_ids: list[str] | None = Field(default=None, max_length=100)


class AdminAgentOut(AgentOut):
    active: bool
    invited: bool = Field(description="invited and has not set a password yet")

    @classmethod
    def of_row(cls, row: AgentRow) -> AdminAgentOut:
        base = AgentOut.of(row.agent)
        return cls(**base.model_dump(), active=row.agent.active, invited=row.invited)


class InvitedOut(BaseModel):
    agent: AdminAgentOut
    invite_url: str = Field(description="one-time link that sets the password; shown once")


class DeactivatedOut(BaseModel):
    agent: AdminAgentOut
    released_issue_ids: list[str] = Field(description="open Issues sent back to the team queue")
    sessions_revoked: int


class TeamWrite(Strict):
    name: str | None = Field(default=None, max_length=200)
    hours: str | None = Field(
        default=None, max_length=200, description="like 'Mon-Fri 09:00-17:00'; '' clears them"
    )
    timezone: str | None = Field(
        default=None, max_length=64, description="IANA, e.g. Europe/Berlin"
    )
    member_ids: list[str] | None = Field(default=None, max_length=1000)


class TeamOut(BaseModel):
    id: str
    name: str
    hours: str | None
    timezone: str
    member_ids: list[str]

    @classmethod
    def of(cls, view: TeamView) -> TeamOut:
        team = view.team
        return cls(
            id=team.id,
            name=team.name,
            hours=team.hours,
            timezone=team.timezone,
            member_ids=list(view.member_ids),
        )


class AuditActorOut(BaseModel):
    kind: str
    id: str | None
    name: str


class AuditEntryOut(BaseModel):
    id: str
    created_at: datetime
    actor: AuditActorOut
    client_address: str | None
    action: str
    target_kind: str | None
    target_id: str | None
    detail: dict[str, Any]

    @classmethod
    def of(cls, entry: AuditEntry) -> AuditEntryOut:
        assert entry.created_at is not None
        actor = entry.actor
        return cls(
            id=entry.id,
            created_at=entry.created_at,
            actor=AuditActorOut(kind=actor.kind.value, id=actor.id, name=actor.name),
            client_address=actor.client_address,
            action=entry.action,
            target_kind=entry.target_kind,
            target_id=entry.target_id,
            detail=entry.detail,
        )


class AuditPage(BaseModel):
    entries: list[AuditEntryOut]
    next_before: str | None = Field(description="pass as `before` for the next (older) page")


class SetupStatus(BaseModel):
    open: bool = Field(description="true while no organization exists")


class SetupRequest(Strict):
    code: str = Field(max_length=64, description="printed by the server when it started")
    org_name: str = Field(max_length=200)
    org_slug: str = Field(max_length=64)
    admin_email: str = Field(max_length=320)
    admin_name: str = Field(max_length=200)
    admin_password: str = Field(max_length=1024)
    team_name: str = Field(default="Support", max_length=200)
    hours: str | None = Field(default=None, max_length=200)
    timezone: str = Field(default="UTC", max_length=64)


class SetupDone(BaseModel):
    org_slug: str
    admin_email: str
    console_url: str
    chat_url: str


class InviteAccept(Strict):
    token: str = Field(max_length=200)
    password: str = Field(max_length=1024)


class InviteAccepted(BaseModel):
    email: str
    org_id: str
