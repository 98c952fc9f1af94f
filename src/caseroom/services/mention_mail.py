"""Mentions by email for agents who are away: a mention still unread some
minutes after it was made is mailed to the agent, with a private-room reply
token, so that answering the mail posts in the private room. "Away" is told by
the mention itself (the agent did not see it in time), which holds however
many processes serve the console. The mail is marked automatic (RFC 3834)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from caseroom.domain.events import Event
from caseroom.domain.model import Channel
from caseroom.services.common import utcnow
from caseroom.services.deliveries import plan_delivery
from caseroom.storage.uow import UnitOfWork

MENTION_MAIL_JOB = "mention_mail"
# How long a mention may stay unread before it goes out by email.
MENTION_MAIL_AFTER = timedelta(minutes=5)


async def plan_mention_mail(uow: UnitOfWork, staged: Sequence[Event]) -> None:
    """The outbox step for mentions: each one gets a job, due once the agent had
    time to see it, when the organization has email set up."""
    mentions = [e for e in staged if e.type == "notification.created"]
    if not mentions:
        return
    now = utcnow()
    for event in mentions:
        if Channel.EMAIL not in await uow.channels.configured(event.scope.org_id):
            continue
        notification_id = event.payload["notification"]["id"]
        await uow.jobs.enqueue(
            MENTION_MAIL_JOB,
            {"notification_id": notification_id},
            org_id=event.scope.org_id,
            now=now,
            dedupe_key=f"{MENTION_MAIL_JOB}:{notification_id}",
            run_after=now + MENTION_MAIL_AFTER,
        )


async def mail_unread_mention(uow: UnitOfWork, org_id: str, notification_id: str) -> None:
    """Plan the email of a mention the agent has not read (nothing if they have,
    or left, or email is no longer set up)."""
    notification = await uow.notifications.get(org_id, notification_id)
    if notification is None or notification.read_at is not None:
        return
    agent = await uow.agents.get(org_id, notification.agent_id)
    issue = await uow.issues.get(org_id, notification.issue_id)
    if agent is None or not agent.active or issue is None or "@" not in agent.email:
        return
    if Channel.EMAIL not in await uow.channels.configured(org_id):
        return
    await plan_delivery(uow, issue, notification.message_id, Channel.EMAIL, agent.email.lower())
