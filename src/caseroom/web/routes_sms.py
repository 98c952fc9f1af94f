"""SMS between colleagues: an agent's own mobile number, and texting a colleague
from an Issue's private room (never a Customer: the recipient is an agent)."""

from __future__ import annotations

from fastapi import APIRouter, Response, status
from pydantic import BaseModel, Field

from caseroom.domain.model import Agent
from caseroom.services import sms_colleagues
from caseroom.services.messages import Sent
from caseroom.storage.uow import UnitOfWork
from caseroom.web.deps import Context, CurrentPrincipal
from caseroom.web.schemas import MessageOut, Strict

router = APIRouter(prefix="/api/v1", tags=["sms"])


class MobileIn(Strict):
    number: str | None = Field(
        description="your mobile number (E.164, or national in the organization's SMS "
        "region); null removes it",
        max_length=40,
    )


class MobileOut(BaseModel):
    number: str | None


class ColleagueOut(BaseModel):
    agent_id: str
    name: str


class ColleagueTextIn(Strict):
    to: str = Field(description="the colleague's agent id")
    body: str
    idempotency_key: str = Field(min_length=8, max_length=128)


@router.get("/me/mobile", response_model=MobileOut)
async def get_my_mobile(principal: CurrentPrincipal, context: Context) -> MobileOut:
    async def work(uow: UnitOfWork) -> str | None:
        return await sms_colleagues.my_mobile(principal, uow)

    return MobileOut(number=await context.db.read(work))


@router.put("/me/mobile", response_model=MobileOut)
async def put_my_mobile(body: MobileIn, principal: CurrentPrincipal, context: Context) -> MobileOut:
    """Agents only: where colleagues may text you from an Issue's private room."""

    async def work(uow: UnitOfWork) -> str | None:
        return await sms_colleagues.set_my_mobile(principal, uow, body.number)

    return MobileOut(number=await context.db.run(work))


@router.get("/issues/{issue_id}/sms-colleagues", response_model=list[ColleagueOut])
async def sms_colleagues_list(
    issue_id: str, principal: CurrentPrincipal, context: Context
) -> list[ColleagueOut]:
    """The colleagues who can be texted from this Issue's private room."""

    async def work(uow: UnitOfWork) -> list[Agent]:
        return await sms_colleagues.textable_colleagues(principal, uow, issue_id)

    return [ColleagueOut(agent_id=a.id, name=a.name) for a in await context.db.read(work)]


@router.post(
    "/issues/{issue_id}/rooms/private/sms",
    response_model=MessageOut,
    status_code=status.HTTP_201_CREATED,
    responses={200: {"description": "a retry: the message first created with this key"}},
)
async def text_colleague(
    issue_id: str,
    body: ColleagueTextIn,
    principal: CurrentPrincipal,
    context: Context,
    response: Response,
) -> MessageOut:
    """Text a colleague at the mobile number in their profile; the text is kept in
    the private room, and their answer by SMS lands there too."""

    async def work(uow: UnitOfWork) -> Sent:
        return await sms_colleagues.text_colleague(
            principal,
            uow,
            issue_id,
            body.to,
            body.body,
            body.idempotency_key,
            max_chars=context.settings.max_message_chars,
        )

    sent = await context.db.run(work)
    if not sent.created:
        response.status_code = status.HTTP_200_OK
    return MessageOut.of(sent.message, principal)
