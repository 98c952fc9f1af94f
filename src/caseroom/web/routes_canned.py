"""Canned responses (agents only) and the organization's redaction patterns."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from caseroom.domain.model import CannedResponse
from caseroom.domain.redaction import RedactionPattern
from caseroom.services import canned, redaction
from caseroom.storage.uow import UnitOfWork
from caseroom.web.context import AppContext
from caseroom.web.deps import Context, CurrentPrincipal
from caseroom.web.schemas_tools import (
    CannedCreate,
    CannedOut,
    CannedWrite,
    PatternCreate,
    PatternOut,
    PatternTrial,
    PatternTrialOut,
    RenderedOut,
)

router = APIRouter(prefix="/api/v1", tags=["canned responses"])


def _limits(context: AppContext) -> canned.Limits:
    settings = context.settings
    return canned.Limits(
        body_chars=settings.max_message_chars,
        tags=settings.canned_tags_max,
        count=settings.canned_responses_max,
    )


def _draft(body: CannedWrite) -> canned.CannedDraft:
    return canned.CannedDraft(body.title, body.body, body.shortcut, tuple(body.tags))


@router.get("/canned-responses", response_model=list[CannedOut])
async def search_canned(
    principal: CurrentPrincipal,
    context: Context,
    q: Annotated[str, Query(max_length=200, description="shortcut, title or tag")] = "",
    limit: Annotated[int | None, Query(ge=1)] = None,
) -> list[CannedOut]:
    """The organization's and the agent's own templates, best match first."""
    settings = context.settings
    size = min(limit or settings.page_size_default, settings.page_size_max)

    async def work(uow: UnitOfWork) -> list[CannedResponse]:
        return await canned.search_canned(principal, uow, q, limit=size)

    return [CannedOut.of(c) for c in await context.db.read(work)]


@router.post("/canned-responses", response_model=CannedOut, status_code=status.HTTP_201_CREATED)
async def create_canned(
    body: CannedCreate, principal: CurrentPrincipal, context: Context
) -> CannedOut:
    """A personal template (any agent) or one for the organization (admins). An
    unknown `{{variable}}` in the body is refused (422) naming it."""

    async def work(uow: UnitOfWork) -> CannedResponse:
        return await canned.create_canned(
            principal, uow, _draft(body), personal=body.personal, limits=_limits(context)
        )

    return CannedOut.of(await context.db.run(work))


@router.get("/canned-responses/{canned_id}", response_model=CannedOut)
async def get_canned(canned_id: str, principal: CurrentPrincipal, context: Context) -> CannedOut:
    async def work(uow: UnitOfWork) -> CannedResponse:
        return await canned.access_canned(principal, uow, canned_id)

    return CannedOut.of(await context.db.read(work))


@router.put("/canned-responses/{canned_id}", response_model=CannedOut)
async def update_canned(
    canned_id: str, body: CannedWrite, principal: CurrentPrincipal, context: Context
) -> CannedOut:
    async def work(uow: UnitOfWork) -> CannedResponse:
        return await canned.update_canned(
            principal, uow, canned_id, _draft(body), limits=_limits(context)
        )

    return CannedOut.of(await context.db.run(work))


@router.delete("/canned-responses/{canned_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_canned(canned_id: str, principal: CurrentPrincipal, context: Context) -> None:
    async def work(uow: UnitOfWork) -> None:
        await canned.delete_canned(principal, uow, canned_id)

    await context.db.run(work)


@router.get("/canned-responses/{canned_id}/render", response_model=RenderedOut)
async def render_canned(
    canned_id: str,
    principal: CurrentPrincipal,
    context: Context,
    issue_id: Annotated[str, Query(max_length=32)],
) -> RenderedOut:
    """The template filled in for `issue_id` and the signed-in agent."""

    async def work(uow: UnitOfWork) -> str:
        return await canned.render_canned(principal, uow, canned_id, issue_id)

    text = await context.db.read(work)
    return RenderedOut(text=text, canned_response_id=canned_id, issue_id=issue_id)


@router.get("/redaction-patterns", response_model=list[PatternOut], tags=["redaction"])
async def list_patterns(principal: CurrentPrincipal, context: Context) -> list[PatternOut]:
    """The built-in card number check and the organization's own patterns."""

    async def work(uow: UnitOfWork) -> list[RedactionPattern]:
        return await redaction.list_patterns(principal, uow)

    return [PatternOut.of(p) for p in await context.db.read(work)]


@router.post(
    "/redaction-patterns",
    response_model=PatternOut,
    status_code=status.HTTP_201_CREATED,
    tags=["redaction"],
)
async def add_pattern(
    body: PatternCreate, principal: CurrentPrincipal, context: Context
) -> PatternOut:
    """Admins add an RE2 pattern; it is checked (syntax, length, matching nothing
    empty) before it is saved."""
    settings = context.settings

    async def work(uow: UnitOfWork) -> RedactionPattern:
        return await redaction.add_pattern(
            principal,
            uow,
            body.name,
            body.pattern,
            max_chars=settings.redaction_pattern_max_chars,
            max_count=settings.redaction_patterns_max,
        )

    return PatternOut.of(await context.db.run(work))


@router.post("/redaction-patterns/try", response_model=PatternTrialOut, tags=["redaction"])
async def try_pattern(
    body: PatternTrial, principal: CurrentPrincipal, context: Context
) -> PatternTrialOut:
    """Admins try a pattern on sample text before saving it: what it would hide,
    or the same problem saving it would give. Nothing is stored."""
    redacted, spans = redaction.try_pattern(
        principal, body.pattern, body.sample, max_chars=context.settings.redaction_pattern_max_chars
    )
    return PatternTrialOut(redacted=redacted, matches=[body.sample[a:b] for a, b in spans])


@router.delete(
    "/redaction-patterns/{pattern_id}", status_code=status.HTTP_204_NO_CONTENT, tags=["redaction"]
)
async def remove_pattern(pattern_id: str, principal: CurrentPrincipal, context: Context) -> None:
    async def work(uow: UnitOfWork) -> None:
        await redaction.remove_pattern(principal, uow, pattern_id)

    await context.db.run(work)
