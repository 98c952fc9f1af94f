"""Use cases on an Issue's lifecycle: claim, assign, watch, resolve, reopen, cancel, close."""

from __future__ import annotations

import dataclasses
from datetime import datetime

from caseroom.domain import events
from caseroom.domain.errors import LimitReached, NotFound
from caseroom.domain.ids import new_id
from caseroom.domain.model import (
    Activity,
    Channel,
    Customer,
    CustomerPrincipal,
    GivenContact,
    Issue,
    IssueStatus,
    Principal,
    Queue,
    Surface,
    surface_of_channel,
)
from caseroom.domain.reference import new_reference
from caseroom.domain.status import Action, check_transition
from caseroom.services.common import access_issue, record, require_agent, utcnow
from caseroom.services.transcripts import schedule_transcripts
from caseroom.storage.uow import UnitOfWork


async def list_queue(
    principal: Principal, uow: UnitOfWork, queue: Queue, cursor: str | None, limit: int
) -> list[Issue]:
    if isinstance(principal, CustomerPrincipal):
        found = await uow.issues.for_customer(
            principal.org_id, principal.customer.id, cursor, limit
        )
        return [i for i in found if principal.issue_ids is None or i.id in principal.issue_ids]
    agent = require_agent(principal).agent
    return await uow.issues.queue(
        principal.org_id,
        queue,
        agent_id=agent.id,
        team_ids=agent.team_ids,
        cursor=cursor,
        limit=limit,
    )


async def get_issue(principal: Principal, uow: UnitOfWork, issue_id: str) -> Issue:
    return await access_issue(principal, uow, issue_id)


async def list_activity(principal: Principal, uow: UnitOfWork, issue_id: str) -> list[Activity]:
    require_agent(principal)
    issue = await access_issue(principal, uow, issue_id)
    return await uow.activity.for_issue(issue.org_id, issue.id)


async def open_issue(
    uow: UnitOfWork,
    customer: Customer,
    *,
    subject: str,
    channel: Channel,
    now: datetime,
    team_id: str | None = None,
    linked_issue_id: str | None = None,
    given_contact: GivenContact | None = None,
    reply_address: str | None = None,
    surface: Surface | None = None,
) -> Issue:
    """Create an unclaimed Issue with a fresh reference, log and announce it.
    `surface` says where the Customer started it; a text or a mail needs none."""
    reference = new_reference()
    while await uow.issues.reference_taken(customer.org_id, reference):
        reference = new_reference()
    issue = Issue(
        id=new_id(),
        org_id=customer.org_id,
        reference=reference,
        subject=subject,
        status=IssueStatus.UNCLAIMED,
        customer_id=customer.id,
        source_channel=channel,
        created_at=now,
        team_id=team_id,
        linked_issue_id=linked_issue_id,
        given_contact=given_contact,
        reply_channel=channel
        if channel in (Channel.CHAT, Channel.EMAIL, Channel.SMS)
        else Channel.CHAT,
        reply_address=reply_address,
        surface=surface or surface_of_channel(channel),
    )
    await uow.issues.add(issue)
    detail = {"linked_issue_id": linked_issue_id} if linked_issue_id else {}
    await record(uow, issue, None, "open", detail, now=now)
    uow.emit(events.issue_changed("issue.created", issue, []))
    return issue


async def _check_capacity(uow: UnitOfWork, org_id: str, agent_id: str) -> None:
    org = await uow.organizations.get(org_id)
    cap = org.max_open_issues_per_agent if org else None
    if cap is not None and await uow.issues.count_open_owned(org_id, agent_id) >= cap:
        raise LimitReached(
            f"the agent already owns {cap} open Issues, the organization's limit", limit=cap
        )


async def apply_transition(
    uow: UnitOfWork,
    principal: Principal | None,
    issue: Issue,
    action: Action,
    *,
    now: datetime,
    owner_agent_id: str | None = None,
    team_id: str | None = None,
) -> Issue:
    """Move `issue` by `action`, save, log and announce it. Used by every path that
    changes a status, the customer's reopening message included."""
    owner = owner_agent_id if action in (Action.CLAIM, Action.ASSIGN) else issue.owner_agent_id
    status = check_transition(issue.status, action, has_owner=owner is not None)
    changed = dataclasses.replace(
        issue,
        status=status,
        owner_agent_id=owner,
        team_id=team_id if action is Action.ASSIGN and team_id else issue.team_id,
        claimed_at=now if owner and owner != issue.owner_agent_id else issue.claimed_at,
        resolved_at=now if action is Action.RESOLVE else issue.resolved_at,
    )
    await uow.issues.save(changed, now)
    changes = [
        name
        for name in ("status", "owner_agent_id", "team_id", "claimed_at", "resolved_at")
        if getattr(changed, name) != getattr(issue, name)
    ]
    entry = await record(
        uow,
        issue,
        principal,
        action.value,
        {"from": issue.status.value, "to": status.value, "owner_agent_id": owner},
        now=now,
    )
    if action is Action.RESOLVE:
        # The resolution's log entry is its identity: one transcript version each.
        await schedule_transcripts(uow, changed, entry.id, now)
    uow.emit(events.issue_changed("issue.updated", changed, changes))
    return changed


async def claim_issue(principal: Principal, uow: UnitOfWork, issue_id: str) -> Issue:
    agent = require_agent(principal).agent
    issue = await access_issue(principal, uow, issue_id, for_update=True)
    check_transition(issue.status, Action.CLAIM, has_owner=True)
    await _check_capacity(uow, issue.org_id, agent.id)
    now = utcnow()
    claimed = await apply_transition(
        uow, principal, issue, Action.CLAIM, now=now, owner_agent_id=agent.id
    )
    return await add_watcher(uow, principal, claimed, agent.id, now)


async def assign_issue(
    principal: Principal,
    uow: UnitOfWork,
    issue_id: str,
    *,
    agent_id: str | None,
    team_id: str | None,
) -> Issue:
    require_agent(principal)
    issue = await access_issue(principal, uow, issue_id, for_update=True)
    check_transition(issue.status, Action.ASSIGN, has_owner=agent_id is not None)
    if team_id is not None and await uow.teams.get(issue.org_id, team_id) is None:
        raise NotFound("no such team", field="team_id")
    now = utcnow()
    if agent_id is not None:
        target = await uow.agents.get(issue.org_id, agent_id)
        if target is None or not target.active:
            raise NotFound("no such agent", field="agent_id")
        if agent_id != issue.owner_agent_id:
            await _check_capacity(uow, issue.org_id, agent_id)
    assigned = await apply_transition(
        uow, principal, issue, Action.ASSIGN, now=now, owner_agent_id=agent_id, team_id=team_id
    )
    if agent_id is not None:
        assigned = await add_watcher(uow, principal, assigned, agent_id, now)
    return assigned


async def change_status(
    principal: Principal, uow: UnitOfWork, issue_id: str, action: Action
) -> Issue:
    """Resolve, reopen, cancel or close."""
    require_agent(principal)
    issue = await access_issue(principal, uow, issue_id, for_update=True)
    return await apply_transition(uow, principal, issue, action, now=utcnow())


async def watch_issue(
    principal: Principal, uow: UnitOfWork, issue_id: str, *, watching: bool
) -> Issue:
    agent = require_agent(principal).agent
    issue = await access_issue(principal, uow, issue_id, for_update=True)
    if watching:
        return await add_watcher(uow, principal, issue, agent.id, utcnow())
    if not await uow.issues.remove_watcher(issue.org_id, issue.id, agent.id):
        return issue
    changed = dataclasses.replace(
        issue, watcher_ids=tuple(w for w in issue.watcher_ids if w != agent.id)
    )
    await record(uow, issue, principal, "unwatch", {"agent_id": agent.id}, now=utcnow())
    uow.emit(events.issue_changed("issue.updated", changed, ["watcher_ids"]))
    return changed


async def add_watcher(
    uow: UnitOfWork, principal: Principal, issue: Issue, agent_id: str, now: datetime
) -> Issue:
    """Make `agent_id` a watcher (idempotent); announce it if it changed anything."""
    if not await uow.issues.add_watcher(issue.org_id, issue.id, agent_id):
        return issue
    changed = dataclasses.replace(issue, watcher_ids=tuple(sorted({*issue.watcher_ids, agent_id})))
    await record(uow, issue, principal, "watch", {"agent_id": agent_id}, now=now)
    uow.emit(events.issue_changed("issue.updated", changed, ["watcher_ids"]))
    return changed
