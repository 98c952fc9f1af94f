"""The email a message came as: its sanitized HTML (shown in a sandboxed frame,
remote images held back in `data-remote-src`), the folded quote, addresses."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from caseroom.services.mail_details import mail_details
from caseroom.storage.inbound_mails import InboundMail
from caseroom.storage.uow import UnitOfWork
from caseroom.web.deps import Context, CurrentPrincipal

router = APIRouter(prefix="/api/v1/issues", tags=["messages"])


class InboundMailOut(BaseModel):
    message_id: str
    mail_id: str
    sender: str
    to: list[str]
    cc: list[str]
    subject: str
    html: str | None
    quoted: str | None
    machine: list[str]  # why it is machine mail (auto-reply, bounce...), empty for a person's
    machine_reasons: list[str]

    @classmethod
    def of(cls, mail: InboundMail) -> InboundMailOut:
        return cls(
            message_id=mail.message_id,
            mail_id=mail.mail_id,
            sender=mail.sender,
            to=list(mail.to),
            cc=list(mail.cc),
            subject=mail.subject,
            html=mail.html,
            quoted=mail.quoted,
            machine=list(mail.machine_kinds),
            machine_reasons=list(mail.machine_reasons),
        )


@router.get("/{issue_id}/messages/{message_id}/email", response_model=InboundMailOut)
async def get_inbound_mail(
    issue_id: str, message_id: str, principal: CurrentPrincipal, context: Context
) -> InboundMailOut:
    """The email an inbound message came as (404 when it came another way)."""

    async def work(uow: UnitOfWork) -> InboundMail:
        return await mail_details(principal, uow, issue_id, message_id)

    return InboundMailOut.of(await context.db.read(work))
