"""The job that mails an unread mention (see services/mention_mail.py)."""

from __future__ import annotations

from caseroom.domain.records import Job
from caseroom.jobs.worker import Complete, Handler
from caseroom.services.mention_mail import mail_unread_mention
from caseroom.storage.uow import UnitOfWork


def mention_mail_handler() -> Handler:
    async def handle(job: Job) -> Complete:
        notification_id = str(job.payload["notification_id"])

        async def work(uow: UnitOfWork) -> None:
            await mail_unread_mention(uow, job.org_id, notification_id)

        return work

    return handle
