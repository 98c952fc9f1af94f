"""The first-run page (/setup) and the invitation page (/invite), with the API
calls they make. Neither needs an account: the setup code, or the invitation
token, is the authority."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request, status
from fastapi.responses import FileResponse

from caseroom.domain.audit import Actor, ActorKind
from caseroom.domain.model import Agent
from caseroom.services import admin_agents, setup
from caseroom.storage.uow import UnitOfWork
from caseroom.web.deps import Context, client_address
from caseroom.web.page_headers import SHELL_HEADERS
from caseroom.web.schemas_admin import (
    InviteAccept,
    InviteAccepted,
    SetupDone,
    SetupRequest,
    SetupStatus,
)
from caseroom.web.setup_gate import SetupGate

STATIC = Path(__file__).parent / "static"

router = APIRouter(prefix="/api/v1", tags=["setup"])
pages = APIRouter(include_in_schema=False)


def gate_of(request: Request) -> SetupGate:
    gate: SetupGate = request.app.state.setup_gate
    return gate


@pages.get("/setup")
async def setup_page() -> FileResponse:
    return FileResponse(STATIC / "setup" / "index.html", headers=SHELL_HEADERS)


@pages.get("/invite")
async def invite_page() -> FileResponse:
    return FileResponse(STATIC / "setup" / "invite.html", headers=SHELL_HEADERS)


@router.get("/setup", response_model=SetupStatus)
async def setup_status(context: Context) -> SetupStatus:
    return SetupStatus(open=await context.db.read(setup.setup_open))


@router.post("/setup", response_model=SetupDone, status_code=status.HTTP_201_CREATED)
async def first_run(body: SetupRequest, request: Request, context: Context) -> SetupDone:
    """Create the organization, its first admin and a team: once, while no
    organization exists, with the code the server printed at start."""
    gate = gate_of(request)
    plan = setup.DeskPlan(
        body.org_slug,
        body.org_name,
        body.admin_email,
        body.admin_name,
        body.admin_password,
        body.team_name,
        body.hours,
        body.timezone,
    )
    actor = Actor(ActorKind.SETUP, None, "first-run page", client_address(request))
    minimum = context.settings.password_min_chars

    async def work(uow: UnitOfWork) -> setup.Desk:
        return await setup.first_run(uow, plan, actor, password_min_chars=minimum)

    async with gate.in_use:
        gate.check(body.code)
        desk = await context.db.run(work)
        gate.close()
    base = context.settings.public_url
    return SetupDone(
        org_slug=desk.org.slug,
        admin_email=desk.admin.email,
        console_url=f"{base}/console",
        chat_url=f"{base}/connect/{desk.org.slug}",
    )


@router.post("/invites/accept", response_model=InviteAccepted)
async def accept_invite(body: InviteAccept, request: Request, context: Context) -> InviteAccepted:
    """Set the password an invitation link was for. The link works once."""
    minimum, address = context.settings.password_min_chars, client_address(request)

    async def work(uow: UnitOfWork) -> Agent:
        return await admin_agents.accept_invite(
            uow, body.token, body.password, min_chars=minimum, client_address=address
        )

    agent = await context.db.run(work)
    return InviteAccepted(email=agent.email, org_id=agent.org_id)
