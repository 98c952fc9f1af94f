"""What anyone may call without an account: starting a conversation."""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, Response, status

from caseroom.domain.model import CustomerPrincipal, Surface
from caseroom.services import conversations
from caseroom.storage.uow import UnitOfWork
from caseroom.web.deps import Context
from caseroom.web.schemas import ConversationStart, ConversationStarted, IssueOut, MessageOut

router = APIRouter(prefix="/api/v1", tags=["conversations"])


@router.post(
    "/organizations/{org_slug}/conversations",
    response_model=ConversationStarted,
    status_code=status.HTTP_201_CREATED,
)
async def start_conversation(
    org_slug: str, body: ConversationStart, context: Context, response: Response
) -> ConversationStarted:
    """A Customer opens a new Issue with its first message and receives a customer
    token for it. The token grants this Issue's public room and nothing else."""
    settings = context.settings
    contact = conversations.Contact(name=body.name, email=body.email, phone=body.phone)

    async def work(uow: UnitOfWork) -> conversations.Started:
        return await conversations.start_conversation(
            uow,
            org_slug,
            contact,
            subject=body.subject,
            message=body.message,
            idempotency_key=body.idempotency_key,
            retry_secret=body.retry_secret,
            token_ttl=timedelta(days=settings.customer_token_ttl_days),
            max_chars=settings.max_message_chars,
            surface=Surface(body.surface) if body.surface else None,
        )

    started = await context.db.run(work)
    if not started.sent.created:
        response.status_code = status.HTTP_200_OK
    principal = CustomerPrincipal(
        started.customer.org_id, started.customer, frozenset({started.issue.id})
    )
    return ConversationStarted(
        customer_token=started.token.token,
        customer_id=started.customer.id,
        issue=IssueOut.of(started.issue, principal),
        message=MessageOut.of(started.sent.message, principal),
    )
