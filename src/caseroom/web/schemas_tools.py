"""Request and response bodies of the agent tools: notifications, mention
suggestions, note edits, redaction, canned responses."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field, model_validator

from caseroom.domain.model import CannedResponse
from caseroom.domain.redaction import PatternKind, RedactionPattern
from caseroom.web.schemas import MessageOut, Strict

# -- requests -----------------------------------------------------------------


class NoteEdit(Strict):
    body: str


class MarkRead(Strict):
    ids: list[str] | None = Field(default=None, max_length=500)
    all: bool = Field(default=False, description="mark every notification read")

    @model_validator(mode="after")
    def _one_of(self) -> MarkRead:
        if (self.ids is None) == (not self.all):
            raise ValueError("give ids or all=true, not both")
        return self


class RedactRequest(Strict):
    secrets: list[str] = Field(
        default_factory=list,
        description="exact texts to remove, besides what the organization's patterns find",
    )


class PatternCreate(Strict):
    name: str = Field(max_length=100)
    pattern: str = Field(description="an RE2 regular expression (no backreferences or lookaround)")


class PatternTrial(Strict):
    pattern: str = Field(description="an RE2 regular expression, as it would be saved")
    sample: str = Field(max_length=10_000, description="text to try it on")


class PatternTrialOut(BaseModel):
    redacted: str = Field(description="the sample with every match hidden")
    matches: list[str] = Field(description="what the pattern matched, in order")


class CannedWrite(Strict):
    title: str = Field(max_length=200)
    body: str
    shortcut: str | None = Field(default=None, max_length=65)
    tags: list[str] = Field(default_factory=list, max_length=100)


class CannedCreate(CannedWrite):
    personal: bool = Field(
        default=False, description="true: the agent's own; false: the organization's (admins)"
    )


# -- responses ----------------------------------------------------------------


class NotificationOut(BaseModel):
    id: str
    kind: str
    issue_id: str
    issue_reference: str
    issue_subject: str
    message_id: str
    actor_id: str | None
    created_at: datetime
    read_at: datetime | None
    message: MessageOut | None


class NotificationList(BaseModel):
    items: list[NotificationOut]
    unread: int
    next_cursor: str | None


class MarkedRead(BaseModel):
    marked: int


class MentionSuggestion(BaseModel):
    id: str
    name: str
    email: str
    mention: str = Field(description="the text to insert, e.g. @[Jane Doe]")


class PatternOut(BaseModel):
    id: str
    name: str
    kind: str
    pattern: str | None
    builtin: bool

    @classmethod
    def of(cls, pattern: RedactionPattern) -> PatternOut:
        builtin = pattern.kind is PatternKind.CARD
        return cls(
            id=pattern.id,
            name=pattern.name,
            kind=pattern.kind.value,
            pattern=None if builtin else pattern.pattern,
            builtin=builtin,
        )


class CannedOut(BaseModel):
    id: str
    scope: str = Field(description="organization or personal")
    title: str
    shortcut: str | None
    body: str
    tags: list[str]
    created_by: str | None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, canned: CannedResponse) -> CannedOut:
        return cls(
            id=canned.id,
            scope="organization" if canned.owner_agent_id is None else "personal",
            title=canned.title,
            shortcut=canned.shortcut,
            body=canned.body,
            tags=list(canned.tags),
            created_by=canned.created_by,
            created_at=canned.created_at,
            updated_at=canned.updated_at,
        )


class RenderedOut(BaseModel):
    text: str = Field(description="the filled-in text; the agent may edit it before sending")
    canned_response_id: str
    issue_id: str
