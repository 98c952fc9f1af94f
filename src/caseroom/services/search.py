"""Finding Issues: words over the organization's whole history, views and
filters. What a principal may find is read off the visibility rule."""

from __future__ import annotations

from dataclasses import dataclass, replace

from caseroom.domain.model import CustomerPrincipal, Issue, Principal, Room
from caseroom.domain.search import Highlight, highlight
from caseroom.domain.visibility import search_reach
from caseroom.services.common import require_agent
from caseroom.storage.search import Criteria
from caseroom.storage.uow import UnitOfWork


@dataclass(frozen=True, slots=True)
class Hit:
    """A found Issue and, for a search by words, the text that matched best: one
    of its messages (`message_id`, `room`) or the Issue itself (both None)."""

    issue: Issue
    match: Highlight | None = None
    message_id: str | None = None
    room: Room | None = None


@dataclass(frozen=True, slots=True)
class Found:
    """A page of hits. `ranked_among` is set when more Issues matched the words
    than a search ranks: the hits are the best among the newest that many."""

    hits: list[Hit]
    ranked_among: int | None = None


async def find_issues(
    principal: Principal,
    uow: UnitOfWork,
    criteria: Criteria,
    *,
    offset: int,
    limit: int,
    candidates: int | None = None,
) -> Found:
    """One page of the Issues `criteria` finds for `principal`; with `candidates`,
    words matching more Issues than that rank among the newest `candidates`."""
    if not isinstance(principal, CustomerPrincipal):
        agent = require_agent(principal).agent
        criteria = replace(criteria, agent_id=agent.id, agent_team_ids=agent.team_ids)
    reach = search_reach(principal)
    page = await uow.search.find(reach, criteria, offset=offset, limit=limit, candidates=candidates)
    ids = page.ids
    found = await uow.issues.many(principal.org_id, ids)
    if not criteria.words:
        return Found([Hit(issue) for issue in found])
    best = page.best
    if best is None:
        best = await uow.search.best_entries(reach, criteria.words, ids)
    bodies = await uow.search.message_bodies(
        principal.org_id, [e.message_id for e in best.values() if e.message_id]
    )
    contacts = await uow.search.contacts(principal.org_id, [i.customer_id for i in found])
    hits = []
    for issue in found:
        entry = best.get(issue.id)
        if entry is None or entry.message_id is None:
            text = _issue_text(issue, contacts.get(issue.customer_id))
            hits.append(Hit(issue, highlight(text, criteria.words)))
            continue
        body = bodies.get(entry.message_id, "")
        room = Room(entry.room) if entry.room else None
        hits.append(Hit(issue, highlight(body, criteria.words), entry.message_id, room))
    return Found(hits, page.ranked_among)


def _issue_text(issue: Issue, contact: tuple[str, str | None, str | None] | None) -> str:
    """The Issue's own searchable text, as shown under a match on it."""
    parts = [issue.reference, issue.subject]
    if contact:
        parts += [p or "" for p in contact]
    return " · ".join(p for p in parts if p)
