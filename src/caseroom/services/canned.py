"""Canned responses: the organization's reply templates (admins manage them) and
each agent's personal ones; searched by title or shortcut, rendered for an Issue."""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass

from caseroom.domain.errors import Conflict, InvalidInput, LimitReached, NotFound
from caseroom.domain.ids import new_id
from caseroom.domain.model import AgentPrincipal, CannedResponse, Principal
from caseroom.domain.templates import parse_template, render_template, template_values
from caseroom.domain.text import clean_text
from caseroom.services.audit import audit
from caseroom.services.common import access_issue, require_admin, require_agent, utcnow
from caseroom.storage.uow import UnitOfWork

_SHORTCUT = re.compile(r"[a-z0-9][a-z0-9_.-]{0,63}")


@dataclass(frozen=True, slots=True)
class CannedDraft:
    title: str
    body: str
    shortcut: str | None = None
    tags: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Limits:
    body_chars: int
    tags: int
    count: int


def check_draft(draft: CannedDraft, limits: Limits) -> CannedDraft:
    """Clean every field; the body's placeholders must all be known variables."""
    title = clean_text(draft.title, field="title", max_chars=200, multiline=False)
    body = clean_text(draft.body, field="body", max_chars=limits.body_chars)
    parse_template(body)
    shortcut = None
    if draft.shortcut is not None and draft.shortcut.strip():
        shortcut = draft.shortcut.strip().lstrip("/").lower()
        if not _SHORTCUT.fullmatch(shortcut):
            raise InvalidInput(
                "shortcut: up to 64 letters, digits, '.', '_' or '-', "
                "starting with a letter or digit",
                field="shortcut",
            )
    tags = []
    for tag in draft.tags:
        cleaned = clean_text(tag, field="tags", max_chars=50, multiline=False).lower()
        if cleaned not in tags:
            tags.append(cleaned)
    if len(tags) > limits.tags:
        raise InvalidInput(f"at most {limits.tags} tags", field="tags", limit=limits.tags)
    return CannedDraft(title, body, shortcut, tuple(tags))


async def access_canned(principal: Principal, uow: UnitOfWork, canned_id: str) -> CannedResponse:
    """The organization's templates and the agent's own; others' are not found."""
    agent = require_agent(principal).agent
    canned = await uow.canned.get(agent.org_id, canned_id)
    if canned is None or canned.owner_agent_id not in (None, agent.id):
        raise NotFound("no such canned response")
    return canned


def _check_may_manage(principal: AgentPrincipal, canned_owner: str | None) -> None:
    """Admins manage the organization's templates; every agent manages their own."""
    if canned_owner is None:
        require_admin(principal)


async def _check_shortcut_free(
    uow: UnitOfWork, principal: AgentPrincipal, owner: str | None, shortcut: str | None, own_id: str
) -> None:
    if shortcut is None:
        return
    for other in await uow.canned.visible_to(principal.org_id, principal.agent.id):
        if other.owner_agent_id == owner and other.shortcut == shortcut and other.id != own_id:
            raise Conflict(
                f"the shortcut {shortcut!r} is taken by {other.title!r}", field="shortcut"
            )


async def create_canned(
    principal: Principal, uow: UnitOfWork, draft: CannedDraft, *, personal: bool, limits: Limits
) -> CannedResponse:
    agent = require_agent(principal)
    owner = agent.agent.id if personal else None
    _check_may_manage(agent, owner)
    clean = check_draft(draft, limits)
    if await uow.canned.count_visible(agent.org_id, owner) >= limits.count:
        raise LimitReached(f"at most {limits.count} canned responses", limit=limits.count)
    new = CannedResponse(
        new_id(),
        agent.org_id,
        owner,
        clean.title,
        clean.shortcut,
        clean.body,
        clean.tags,
        agent.agent.id,
        utcnow(),
        utcnow(),
    )
    await _check_shortcut_free(uow, agent, owner, clean.shortcut, new.id)
    await uow.canned.add(new)
    await _audit_shared(uow, agent, "canned.create", new)
    return new


async def update_canned(
    principal: Principal, uow: UnitOfWork, canned_id: str, draft: CannedDraft, *, limits: Limits
) -> CannedResponse:
    canned = await access_canned(principal, uow, canned_id)
    agent = require_agent(principal)
    _check_may_manage(agent, canned.owner_agent_id)
    clean = check_draft(draft, limits)
    await _check_shortcut_free(uow, agent, canned.owner_agent_id, clean.shortcut, canned.id)
    changed = dataclasses.replace(
        canned,
        title=clean.title,
        body=clean.body,
        shortcut=clean.shortcut,
        tags=clean.tags,
        updated_at=utcnow(),
    )
    await uow.canned.save(changed)
    await _audit_shared(uow, agent, "canned.update", changed)
    return changed


async def delete_canned(principal: Principal, uow: UnitOfWork, canned_id: str) -> None:
    canned = await access_canned(principal, uow, canned_id)
    agent = require_agent(principal)
    _check_may_manage(agent, canned.owner_agent_id)
    await uow.canned.remove(canned.org_id, canned.id)
    await _audit_shared(uow, agent, "canned.delete", canned)


async def _audit_shared(
    uow: UnitOfWork, admin: AgentPrincipal, action: str, canned: CannedResponse
) -> None:
    """Changes to the organization's templates are admin actions; personal ones are not."""
    if canned.owner_agent_id is None:
        detail = {"title": canned.title, "shortcut": canned.shortcut}
        await audit(uow, admin.org_id, admin, action, ("canned_response", canned.id), detail)


def _rank(canned: CannedResponse, typed: str, agent_id: str) -> int | None:
    """Lower is better; None when it does not match. The agent's own first on ties."""
    shortcut, title = canned.shortcut or "", canned.title.casefold()
    if not typed:
        return 0  # browsing: alphabetical
    if shortcut == typed:
        rank = 0
    elif shortcut.startswith(typed):
        rank = 2
    elif title.startswith(typed):
        rank = 4
    elif typed in title or any(typed in word for word in canned.tags):
        rank = 6
    else:
        return None
    return rank + (0 if canned.owner_agent_id == agent_id else 1)


async def search_canned(
    principal: Principal, uow: UnitOfWork, query: str, *, limit: int
) -> list[CannedResponse]:
    """Match on shortcut (`/ref` or `ref`), title or tag, best first; an empty
    query lists them all by title."""
    agent = require_agent(principal).agent
    typed = " ".join(query.strip().lstrip("/").casefold().split())
    found = []
    for canned in await uow.canned.visible_to(agent.org_id, agent.id):
        rank = _rank(canned, typed, agent.id)
        if rank is not None:
            found.append((rank, canned.title.casefold(), canned.id, canned))
    found.sort(key=lambda item: item[:3])
    return [item[3] for item in found[:limit]]


async def render_canned(
    principal: Principal, uow: UnitOfWork, canned_id: str, issue_id: str
) -> str:
    """The template filled in for one Issue and the agent about to send it."""
    canned = await access_canned(principal, uow, canned_id)
    agent = require_agent(principal).agent
    issue = await access_issue(principal, uow, issue_id)
    customer = await uow.customers.get(issue.org_id, issue.customer_id)
    organization = await uow.organizations.get(issue.org_id)
    if customer is None or organization is None:
        raise NotFound("no such Issue")
    values = template_values(customer=customer, agent=agent, issue=issue, organization=organization)
    return render_template(canned.body, values)
