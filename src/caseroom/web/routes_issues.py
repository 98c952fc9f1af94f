"""Issues and their rooms, for agents and customers alike (visibility decides)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from caseroom.domain.delivery import Receipt
from caseroom.domain.errors import InvalidInput
from caseroom.domain.events import sees_as_agent
from caseroom.domain.model import Channel, Issue, MessageKind, Queue, Room
from caseroom.domain.search import Sort, query_words
from caseroom.domain.status import Action
from caseroom.services import issues, messages, receipts, rooms, search
from caseroom.services.mail import EmailFields
from caseroom.storage.mail import MessageEmail
from caseroom.storage.search import Criteria
from caseroom.storage.uow import UnitOfWork
from caseroom.web.deps import Context, CurrentPrincipal
from caseroom.web.schemas import (
    ActivityOut,
    AssignRequest,
    DeliveryOut,
    IssueList,
    IssueOut,
    MatchOut,
    MessageCreate,
    MessageOut,
    MessagePage,
    ReceiptIn,
    ReceiptOut,
)
from caseroom.web.schemas_mail import EmailOut

router = APIRouter(prefix="/api/v1/issues", tags=["issues"])


_VIEWS = frozenset({Queue.ALL, Queue.OPEN, Queue.RESOLVED, Queue.CLOSED})
_Id = Annotated[str | None, Query(max_length=32)]


@router.get("", response_model=IssueList)
async def list_issues(
    principal: CurrentPrincipal,
    context: Context,
    queue: Annotated[
        Queue | None, Query(description="unclaimed by default; all for a search")
    ] = None,
    cursor: Annotated[str | None, Query(max_length=32)] = None,
    limit: Annotated[int | None, Query(ge=1)] = None,
    q: Annotated[str | None, Query(max_length=200, description="words to find")] = None,
    team: _Id = None,
    agent: Annotated[str | None, Query(max_length=32, description="the owner")] = None,
    tag: Annotated[str | None, Query(max_length=64)] = None,
    channel: Annotated[Channel | None, Query(description="where the Issue began")] = None,
    sort: Sort | None = None,
) -> IssueList:
    """A queue for agents (unclaimed for their teams, mine, watching, mentions) or
    a view of the whole history (all, open, resolved, closed); `q` finds Issues by
    reference, Customer name, email, phone, subject and message text, best match
    first, and the other filters narrow any of them. A customer gets the Issues
    their token grants, whatever the queue, and finds only in what they can read."""
    settings = context.settings
    size = min(limit or settings.page_size_default, settings.page_size_max)
    words = query_words(q or "")
    filtered = any(v is not None for v in (team, agent, tag, channel, sort))
    if words or filtered or queue in _VIEWS:
        return await _find(
            principal,
            context,
            queue or Queue.ALL,
            cursor,
            size,
            words,
            team,
            agent,
            tag,
            channel,
            sort,
        )

    async def work(uow: UnitOfWork) -> list[Issue]:
        return await issues.list_queue(principal, uow, queue or Queue.UNCLAIMED, cursor, size)

    found = await context.db.read(work)
    return IssueList(
        items=[IssueOut.of(i, principal) for i in found],
        next_cursor=found[-1].id if len(found) == size else None,
    )


async def _find(
    principal: CurrentPrincipal,
    context: Context,
    queue: Queue,
    cursor: str | None,
    size: int,
    words: tuple[str, ...],
    team: str | None,
    agent: str | None,
    tag: str | None,
    channel: Channel | None,
    sort: Sort | None,
) -> IssueList:
    """Views and searches page by position (their order is not the id's)."""
    if cursor is not None and not cursor.isdigit():
        raise InvalidInput("this cursor is not from a view or a search", field="cursor")
    offset = int(cursor or 0)
    criteria = Criteria(
        queue=queue,
        words=words,
        team_id=team,
        owner_agent_id=agent,
        tag=tag,
        channel=channel.value if channel else None,
        sort=sort,
    )

    async def work(uow: UnitOfWork) -> search.Found:
        return await search.find_issues(
            principal,
            uow,
            criteria,
            offset=offset,
            limit=size,
            candidates=context.settings.search_candidates,
        )

    found = await context.db.read(work)
    return IssueList(
        items=[_hit_out(hit, principal) for hit in found.hits],
        next_cursor=str(offset + size) if len(found.hits) == size else None,
        ranked_among_newest=found.ranked_among,
    )


def _hit_out(hit: search.Hit, principal: CurrentPrincipal) -> IssueOut:
    out = IssueOut.of(hit.issue, principal)
    if hit.match is None:
        return out
    match = MatchOut(
        text=hit.match.text,
        highlights=list(hit.match.spans),
        message_id=hit.message_id,
        room=hit.room.value if hit.room else None,
    )
    return out.model_copy(update={"match": match})


@router.get("/{issue_id}", response_model=IssueOut)
async def get_issue(issue_id: str, principal: CurrentPrincipal, context: Context) -> IssueOut:
    async def work(uow: UnitOfWork) -> Issue:
        return await issues.get_issue(principal, uow, issue_id)

    return IssueOut.of(await context.db.read(work), principal)


@router.get("/{issue_id}/activity", response_model=list[ActivityOut])
async def get_activity(
    issue_id: str, principal: CurrentPrincipal, context: Context
) -> list[ActivityOut]:
    async def work(uow: UnitOfWork) -> list[ActivityOut]:
        entries = await issues.list_activity(principal, uow, issue_id)
        return [
            ActivityOut(
                id=e.id,
                action=e.action,
                actor_kind=e.actor_kind.value,
                actor_id=e.actor_id,
                detail=e.detail,
                created_at=e.created_at,
            )
            for e in entries
        ]

    return await context.db.read(work)


def _transition_route(action: Action) -> None:
    async def endpoint(issue_id: str, principal: CurrentPrincipal, context: Context) -> IssueOut:
        async def work(uow: UnitOfWork) -> Issue:
            if action is Action.CLAIM:
                return await issues.claim_issue(principal, uow, issue_id)
            return await issues.change_status(principal, uow, issue_id, action)

        return IssueOut.of(await context.db.run(work), principal)

    endpoint.__name__ = f"{action.value}_issue"
    endpoint.__doc__ = (
        f"{action.value.capitalize()} the Issue (409 if its status does not allow it)."
    )
    router.add_api_route(
        f"/{{issue_id}}/{action.value}", endpoint, methods=["POST"], response_model=IssueOut
    )


for _action in (Action.CLAIM, Action.RESOLVE, Action.REOPEN, Action.CANCEL, Action.CLOSE):
    _transition_route(_action)


@router.post("/{issue_id}/assign", response_model=IssueOut)
async def assign_issue(
    issue_id: str, body: AssignRequest, principal: CurrentPrincipal, context: Context
) -> IssueOut:
    if body.agent_id is None and body.team_id is None:
        raise InvalidInput("give agent_id, team_id or both", field="agent_id")

    async def work(uow: UnitOfWork) -> Issue:
        return await issues.assign_issue(
            principal, uow, issue_id, agent_id=body.agent_id, team_id=body.team_id
        )

    return IssueOut.of(await context.db.run(work), principal)


@router.put("/{issue_id}/watch", response_model=IssueOut)
async def watch(issue_id: str, principal: CurrentPrincipal, context: Context) -> IssueOut:
    return await _set_watching(issue_id, principal, context, watching=True)


@router.delete("/{issue_id}/watch", response_model=IssueOut)
async def unwatch(issue_id: str, principal: CurrentPrincipal, context: Context) -> IssueOut:
    return await _set_watching(issue_id, principal, context, watching=False)


async def _set_watching(
    issue_id: str, principal: CurrentPrincipal, context: Context, *, watching: bool
) -> IssueOut:
    async def work(uow: UnitOfWork) -> Issue:
        return await issues.watch_issue(principal, uow, issue_id, watching=watching)

    return IssueOut.of(await context.db.run(work), principal)


@router.get("/{issue_id}/rooms/{room}/messages", response_model=MessagePage)
async def list_messages(
    issue_id: str,
    room: Room,
    principal: CurrentPrincipal,
    context: Context,
    after: Annotated[int | None, Query(ge=0)] = None,
    before: Annotated[int | None, Query(ge=1)] = None,
    limit: Annotated[int | None, Query(ge=1)] = None,
) -> MessagePage:
    """Messages in sequence order: `after` pages forward, `before` pages back,
    neither gives the newest page."""
    if after is not None and before is not None:
        raise InvalidInput("give after or before, not both", field="after")
    settings = context.settings
    size = min(limit or settings.page_size_default, settings.page_size_max)

    async def work(uow: UnitOfWork) -> rooms.RoomPage:
        return await rooms.read_room(
            principal, uow, issue_id, room, after=after, before=before, limit=size
        )

    found = await context.db.read(work)
    page, marks = found.page, found.receipts
    by_message: dict[str, list[DeliveryOut]] = {}
    for delivery in found.deliveries:
        by_message.setdefault(delivery.message_id, []).append(DeliveryOut.of(delivery))
    emails = {e.message_id: EmailOut.of(e) for e in found.emails}
    emails |= {m.message_id: EmailOut.received(m) for m in found.received}
    items = [
        MessageOut.of(m, principal).model_copy(
            update={"deliveries": by_message.get(m.id, []), "email": emails.get(m.id)}
        )
        for m in page.messages
    ]
    return MessagePage(
        items=items, has_more=page.has_more, receipts=[ReceiptOut.of(r) for r in marks]
    )


@router.post("/{issue_id}/rooms/{room}/receipts", response_model=ReceiptOut)
async def mark_receipt(
    issue_id: str, room: Room, body: ReceiptIn, principal: CurrentPrincipal, context: Context
) -> ReceiptOut:
    """Report how far you have received and read the room (marks only move forward).
    The Customer's reports become the delivered and read marks under agents'
    messages; agents' reports, the Customer's "seen"."""

    async def work(uow: UnitOfWork) -> Receipt:
        return await receipts.mark_receipt(
            principal,
            uow,
            issue_id,
            room,
            delivered_seq=body.delivered_seq,
            read_seq=body.read_seq,
        )

    return ReceiptOut.of(await context.db.run(work))


@router.post(
    "/{issue_id}/rooms/{room}/messages",
    response_model=MessageOut,
    status_code=status.HTTP_201_CREATED,
    responses={200: {"description": "a retry: the message first created with this key"}},
)
async def send_message(
    issue_id: str,
    room: Room,
    body: MessageCreate,
    principal: CurrentPrincipal,
    context: Context,
    response: Response,
) -> MessageOut:
    new = messages.NewMessage(
        room=room,
        body=body.body,
        kind=MessageKind(body.kind),
        channel=Channel(body.channel) if body.channel else None,
        idempotency_key=body.idempotency_key,
        email=EmailFields(body.email.subject, tuple(body.email.to), tuple(body.email.cc))
        if body.email
        else None,
    )

    sent = await context.sender.post(principal, issue_id, new)
    if not sent.created:
        response.status_code = status.HTTP_200_OK
    shown = MessageOut.of(sent.message, principal)
    if sent.message.channel is Channel.EMAIL and sees_as_agent(principal):

        async def details(uow: UnitOfWork) -> MessageEmail | None:
            return await uow.message_emails.get(sent.message.org_id, sent.message.id)

        if (email := await context.db.read(details)) is not None:
            shown = shown.model_copy(update={"email": EmailOut.of(email)})
    return shown
