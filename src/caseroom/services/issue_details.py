"""Use cases on an Issue's details agents keep: tags and priority. Each change is
saved, written to the activity log and announced."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

from caseroom.domain import events
from caseroom.domain.errors import InvalidInput
from caseroom.domain.model import Issue, Principal
from caseroom.domain.text import clean_text
from caseroom.services.common import access_issue, record, require_agent, utcnow
from caseroom.storage.uow import UnitOfWork

MAX_TAGS = 20
MAX_TAG_CHARS = 64
PRIORITIES = ("low", "high", "urgent")  # and None: normal


def check_tags(tags: list[str]) -> tuple[str, ...]:
    """Trimmed, lowercased, each once, in the order given."""
    cleaned: list[str] = []
    for tag in tags:
        text = clean_text(tag, field="tags", max_chars=MAX_TAG_CHARS, multiline=False).lower()
        if text not in cleaned:
            cleaned.append(text)
    if len(cleaned) > MAX_TAGS:
        raise InvalidInput(f"an Issue has at most {MAX_TAGS} tags", field="tags", limit=MAX_TAGS)
    return tuple(cleaned)


async def set_tags(principal: Principal, uow: UnitOfWork, issue_id: str, tags: list[str]) -> Issue:
    require_agent(principal)
    wanted = check_tags(tags)
    issue = await access_issue(principal, uow, issue_id, for_update=True)
    if wanted == issue.tags:
        return issue
    detail = {
        "added": [t for t in wanted if t not in issue.tags],
        "removed": [t for t in issue.tags if t not in wanted],
    }
    return await _save(
        uow, principal, issue, dataclasses.replace(issue, tags=wanted), "tag", detail
    )


async def set_priority(
    principal: Principal, uow: UnitOfWork, issue_id: str, priority: str | None
) -> Issue:
    require_agent(principal)
    if priority is not None and priority not in PRIORITIES:
        raise InvalidInput("priority is low, high, urgent or null (normal)", field="priority")
    issue = await access_issue(principal, uow, issue_id, for_update=True)
    if priority == issue.priority:
        return issue
    detail = {"from": issue.priority, "to": priority}
    changed = dataclasses.replace(issue, priority=priority)
    return await _save(uow, principal, issue, changed, "priority", detail)


async def _save(
    uow: UnitOfWork,
    principal: Principal,
    issue: Issue,
    changed: Issue,
    action: str,
    detail: Mapping[str, object],
) -> Issue:
    now = utcnow()
    await uow.issues.save(changed, now)
    await record(uow, issue, principal, action, detail, now=now)
    field = "tags" if action == "tag" else "priority"
    uow.emit(events.issue_changed("issue.updated", changed, [field]))
    return changed
