"""The agent's workspace: the teams to hand an Issue to, and the Customer panel
(profile, earlier Issues, notes, editing contact details)."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, status
from pydantic import BaseModel, Field

from caseroom.domain.model import Customer, Issue, Team
from caseroom.services import availability, customers, directory, issue_details, issues, ratings
from caseroom.storage.customer_notes import CustomerNote
from caseroom.storage.ratings import Rating
from caseroom.storage.uow import UnitOfWork
from caseroom.web.deps import Context, CurrentPrincipal
from caseroom.web.schemas import CustomerOut, IssueOut

router = APIRouter(prefix="/api/v1", tags=["directory"])
issue_router = APIRouter(prefix="/api/v1/issues", tags=["issues"])


class TeamBrief(BaseModel):
    id: str
    name: str


class EarlierIssue(BaseModel):
    id: str
    reference: str
    subject: str
    status: str
    created_at: datetime
    surface: str | None = Field(description="where the Customer started it (see IssueOut)")


class CustomerNoteOut(BaseModel):
    id: str
    author_id: str | None
    body: str
    created_at: datetime

    @classmethod
    def of(cls, note: CustomerNote) -> CustomerNoteOut:
        return cls(id=note.id, author_id=note.author_id, body=note.body, created_at=note.created_at)


class CustomerProfileOut(BaseModel):
    customer: CustomerOut
    verified: bool = Field(description="signed in through the embed (the host app vouched)")
    wrote_from: list[str] = Field(description="embed, and the channels of their Issues")
    surfaces: list[str] = Field(
        description="where they started their Issues, newest first: widget, embed, connect, "
        "sms, email or api (an Issue from before this was recorded gives its channel)"
    )
    issues: list[EarlierIssue] = Field(description="newest first")
    notes: list[CustomerNoteOut] = Field(description="agents' notes, newest first")


class ContactsPatch(BaseModel):
    name: str | None = Field(default=None, max_length=400)
    email: str | None = Field(default=None, max_length=400)
    phone: str | None = Field(default=None, max_length=64)


class NoteIn(BaseModel):
    body: str = Field(max_length=4000)


@router.get("/directory/teams", response_model=list[TeamBrief])
async def list_teams(principal: CurrentPrincipal, context: Context) -> list[TeamBrief]:
    """The organization's teams, to hand an Issue to (agents only)."""

    async def work(uow: UnitOfWork) -> list[Team]:
        return await directory.list_teams(principal, uow)

    return [TeamBrief(id=t.id, name=t.name) for t in await context.db.read(work)]


@router.get("/customers/{customer_id}/profile", response_model=CustomerProfileOut)
async def get_profile(
    customer_id: str, principal: CurrentPrincipal, context: Context
) -> CustomerProfileOut:
    async def work(uow: UnitOfWork) -> customers.Profile:
        return await customers.customer_profile(principal, uow, customer_id)

    profile = await context.db.read(work)
    return CustomerProfileOut(
        customer=CustomerOut.of(profile.customer),
        verified=profile.verified,
        wrote_from=list(profile.wrote_from),
        surfaces=list(profile.surfaces),
        issues=[
            EarlierIssue(
                id=i.id,
                reference=i.reference,
                subject=i.subject,
                status=i.status.value,
                created_at=i.created_at,
                surface=i.surface.value if i.surface else None,
            )
            for i in profile.issues
        ],
        notes=[CustomerNoteOut.of(n) for n in profile.notes],
    )


@router.patch("/customers/{customer_id}", response_model=CustomerOut)
async def edit_contacts(
    customer_id: str, body: ContactsPatch, principal: CurrentPrincipal, context: Context
) -> CustomerOut:
    """Change the name, email or phone (null clears email or phone); 409 when
    another Customer already has the email or phone."""

    async def work(uow: UnitOfWork) -> Customer:
        return await customers.update_contacts(
            principal,
            uow,
            customer_id,
            name=body.name,
            email=body.email,
            phone=body.phone,
            given=frozenset(body.model_fields_set),
        )

    return CustomerOut.of(await context.db.run(work))


@router.post(
    "/customers/{customer_id}/notes",
    response_model=CustomerNoteOut,
    status_code=status.HTTP_201_CREATED,
)
async def add_note(
    customer_id: str, body: NoteIn, principal: CurrentPrincipal, context: Context
) -> CustomerNoteOut:
    async def work(uow: UnitOfWork) -> CustomerNote:
        return await customers.add_note(principal, uow, customer_id, body.body)

    return CustomerNoteOut.of(await context.db.run(work))


class TagsIn(BaseModel):
    tags: list[str] = Field(max_length=100)


class PriorityIn(BaseModel):
    priority: str | None = Field(description="low, high, urgent, or null for normal")


@issue_router.put("/{issue_id}/tags", response_model=IssueOut)
async def put_tags(
    issue_id: str, body: TagsIn, principal: CurrentPrincipal, context: Context
) -> IssueOut:
    """Replace the Issue's tags (trimmed, lowercased, each once)."""

    async def work(uow: UnitOfWork) -> Issue:
        return await issue_details.set_tags(principal, uow, issue_id, body.tags)

    return IssueOut.of(await context.db.run(work), principal)


@issue_router.put("/{issue_id}/priority", response_model=IssueOut)
async def put_priority(
    issue_id: str, body: PriorityIn, principal: CurrentPrincipal, context: Context
) -> IssueOut:
    async def work(uow: UnitOfWork) -> Issue:
        return await issue_details.set_priority(principal, uow, issue_id, body.priority)

    return IssueOut.of(await context.db.run(work), principal)


@issue_router.post("/{issue_id}/unassign", response_model=IssueOut)
async def unassign(issue_id: str, principal: CurrentPrincipal, context: Context) -> IssueOut:
    """Take the owner off: the Issue goes back to its team's Unclaimed queue."""

    async def work(uow: UnitOfWork) -> Issue:
        return await issues.assign_issue(principal, uow, issue_id, agent_id=None, team_id=None)

    return IssueOut.of(await context.db.run(work), principal)


class RatingIn(BaseModel):
    score: int = Field(ge=1, le=5)
    comment: str | None = Field(default=None, max_length=2000)


class RatingOut(BaseModel):
    issue_id: str
    score: int
    comment: str | None
    created_at: datetime

    @classmethod
    def of(cls, rating: Rating) -> RatingOut:
        return cls(
            issue_id=rating.issue_id,
            score=rating.score,
            comment=rating.comment,
            created_at=rating.created_at,
        )


class RatedIssue(RatingOut):
    reference: str


class SatisfactionReport(BaseModel):
    total: int
    average: float | None
    counts: dict[int, int] = Field(description="how many ratings of each score, 1 to 5")
    recent: list[RatedIssue]


@issue_router.put("/{issue_id}/rating", response_model=RatingOut)
async def rate(
    issue_id: str, body: RatingIn, principal: CurrentPrincipal, context: Context
) -> RatingOut:
    """The Customer rates their resolved Issue (a second rating replaces the first)."""

    async def work(uow: UnitOfWork) -> Rating:
        return await ratings.rate_issue(principal, uow, issue_id, body.score, body.comment)

    return RatingOut.of(await context.db.run(work))


@issue_router.get("/{issue_id}/rating", response_model=RatingOut | None)
async def get_rating(
    issue_id: str, principal: CurrentPrincipal, context: Context
) -> RatingOut | None:
    async def work(uow: UnitOfWork) -> Rating | None:
        return await ratings.get_rating(principal, uow, issue_id)

    found = await context.db.read(work)
    return RatingOut.of(found) if found else None


@router.get("/reports/satisfaction", response_model=SatisfactionReport)
async def satisfaction(principal: CurrentPrincipal, context: Context) -> SatisfactionReport:
    """How Customers rated their resolved Issues: the spread, the average, the latest."""

    async def work(uow: UnitOfWork) -> ratings.Report:
        return await ratings.satisfaction_report(principal, uow)

    report = await context.db.read(work)
    return SatisfactionReport(
        total=report.total,
        average=report.average,
        counts=report.counts,
        recent=[
            RatedIssue(**RatingOut.of(r).model_dump(), reference=reference)
            for r, reference in report.recent
        ],
    )


class ClaimOnReply(BaseModel):
    enabled: bool = Field(description="an agent's first public reply claims an Unclaimed Issue")


@router.put("/settings/claim-on-reply", response_model=ClaimOnReply, tags=["admin"])
async def put_claim_on_reply(
    body: ClaimOnReply, principal: CurrentPrincipal, context: Context
) -> ClaimOnReply:
    """Turn claiming on the first reply on or off for the organization (admins)."""

    async def work(uow: UnitOfWork) -> bool:
        return await customers.set_claim_on_reply(principal, uow, body.enabled)

    return ClaimOnReply(enabled=await context.db.run(work))


class Availability(BaseModel):
    state: str = Field(description="online while an agent's console is connected, else away")


@router.get("/organizations/{org_slug}/availability", response_model=Availability, tags=["widget"])
async def get_availability(org_slug: str, context: Context) -> Availability:
    """Whether the desk is staffed now, for the widget's header (no sign-in)."""
    heartbeat = context.settings.ws_heartbeat_seconds

    async def work(uow: UnitOfWork) -> str:
        return await availability.desk_state(uow, org_slug, heartbeat)

    return Availability(state=await context.db.read(work))
