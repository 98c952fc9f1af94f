"""Satisfaction: the Customer rates a resolved Issue (1 to 5, and a comment);
agents see it on the Issue and in a small report."""

from __future__ import annotations

from dataclasses import dataclass

from caseroom.domain import events
from caseroom.domain.errors import Conflict, Forbidden, InvalidInput
from caseroom.domain.model import CustomerPrincipal, IssueStatus, Principal
from caseroom.domain.text import clean_text
from caseroom.services.common import access_issue, record, require_agent, utcnow
from caseroom.storage.ratings import Rating
from caseroom.storage.uow import UnitOfWork

MAX_COMMENT_CHARS = 1000
RATED = frozenset({IssueStatus.RESOLVED, IssueStatus.CLOSED})
RECENT = 20


async def rate_issue(
    principal: Principal, uow: UnitOfWork, issue_id: str, score: int, comment: str | None
) -> Rating:
    if not isinstance(principal, CustomerPrincipal):
        raise Forbidden("only the Customer rates their Issue")
    if not 1 <= score <= 5:
        raise InvalidInput("score is 1 to 5", field="score")
    text = None
    if comment is not None and comment.strip():
        text = clean_text(comment, field="comment", max_chars=MAX_COMMENT_CHARS)
    issue = await access_issue(principal, uow, issue_id, for_update=True)
    if issue.status not in RATED:
        raise Conflict("an Issue is rated once it is resolved", field="score")
    now = utcnow()
    rating = Rating(issue.id, score, text, now)
    await uow.ratings.put(issue.org_id, rating)
    await record(uow, issue, principal, "rate", {"score": score}, now=now)
    uow.emit(events.issue_changed("issue.updated", issue, ["rating"]))
    return rating


async def get_rating(principal: Principal, uow: UnitOfWork, issue_id: str) -> Rating | None:
    issue = await access_issue(principal, uow, issue_id)
    return await uow.ratings.get(issue.org_id, issue.id)


@dataclass(frozen=True, slots=True)
class Report:
    counts: dict[int, int]  # score -> how many
    recent: list[tuple[Rating, str]]  # with the Issue's reference

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def average(self) -> float | None:
        if not self.total:
            return None
        return round(sum(s * n for s, n in self.counts.items()) / self.total, 2)


async def satisfaction_report(principal: Principal, uow: UnitOfWork) -> Report:
    agent = require_agent(principal)
    counts = await uow.ratings.counts(agent.org_id, None)
    recent = await uow.ratings.recent(agent.org_id, RECENT)
    issues = {i.id: i for i in await uow.issues.many(agent.org_id, [r.issue_id for r in recent])}
    return Report(
        {s: counts.get(s, 0) for s in range(1, 6)},
        [(r, issues[r.issue_id].reference) for r in recent if r.issue_id in issues],
    )
