"""Video calls over REST: an Issue's calls (the timeline's record) and the calls
under way (the inbox cards). Starting, joining and signaling happen on the
event stream (web/stream/calls.py)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from caseroom.domain.call_events import call_payload
from caseroom.domain.calls import Call
from caseroom.services import calls
from caseroom.storage.uow import UnitOfWork
from caseroom.web.deps import Context, CurrentPrincipal

router = APIRouter(prefix="/api/v1", tags=["calls"])


@router.get("/issues/{issue_id}/calls")
async def list_issue_calls(
    issue_id: str, principal: CurrentPrincipal, context: Context
) -> list[dict[str, Any]]:
    """The Issue's video calls, newest first, in the rooms the caller may see:
    who started each, who joined and left when, how it ended."""

    async def work(uow: UnitOfWork) -> list[Call]:
        return await calls.issue_calls(principal, uow, issue_id)

    return [call_payload(c) for c in await context.db.read(work)]


@router.get("/calls/live")
async def list_live_calls(principal: CurrentPrincipal, context: Context) -> list[dict[str, Any]]:
    """Agents: the organization's calls ringing or under way."""

    async def work(uow: UnitOfWork) -> list[Call]:
        return await calls.live_calls(principal, uow)

    return [call_payload(c) for c in await context.db.read(work)]
