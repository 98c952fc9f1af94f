"""Repositories for Issues, their watchers and their activity log."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Row,
    bindparam,
    delete,
    func,
    insert,
    literal_column,
    select,
    union_all,
    update,
)
from sqlalchemy.ext.asyncio import AsyncConnection

from caseroom.domain.model import Activity, Channel, Issue, IssueStatus, NotificationKind, Queue
from caseroom.domain.status import OPEN_STATUSES
from caseroom.storage import tables as t
from caseroom.storage.driver_path import DriverStatement
from caseroom.storage.mappers import to_activity, to_issue
from caseroom.storage.search_index import SearchIndex

_c = t.issues.c
_w = t.watchers.c

# Built once: a statement object reused with new parameters skips SQLAlchemy's
# construction and cache-key work on every call (this runs for every message).
_WATCHER_LIST = (
    # The separator written into the SQL: as a value, SQLAlchemy would render it
    # anew at each execution, which the driver path (storage/driver_path.py) refuses.
    select(func.aggregate_strings(_w.agent_id, literal_column("','")))  # type: ignore[arg-type]
    .where(_w.issue_id == _c.id)
    .scalar_subquery()
    .label("watcher_list")
)
_GET_ONE = select(t.issues, _WATCHER_LIST).where(
    _c.org_id == bindparam("org_id"), _c.id == bindparam("issue_id")
)
# Nearly every request reads its Issue (to check who may see it): on the driver.
_GET = DriverStatement(_GET_ONE)
_GET_FOR_UPDATE = DriverStatement(_GET_ONE.with_for_update(of=t.issues))
# A send locks its Issue and asks whether its idempotency key already names a
# message, in one statement (the common case: it does not).
_KEYED_MESSAGE = (
    select(t.messages.c.id)
    .where(
        t.messages.c.org_id == bindparam("org_id"),
        t.messages.c.sender_key == bindparam("sender_key"),
        t.messages.c.idempotency_key == bindparam("key"),
    )
    .scalar_subquery()
    .label("keyed_message_id")
)
_GET_FOR_SEND = DriverStatement(
    select(t.issues, _WATCHER_LIST, _KEYED_MESSAGE)
    .where(_c.org_id == bindparam("org_id"), _c.id == bindparam("issue_id"))
    .with_for_update(of=t.issues)
)


def _with_watchers(row: Any) -> Issue:
    """An Issue read with its `watcher_list` (the watchers' ids, comma-separated)."""
    watchers = tuple(sorted(row.watcher_list.split(","))) if row.watcher_list else ()
    return to_issue(row, watchers)


class IssueRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def add(self, issue: Issue) -> None:
        await self._conn.execute(
            insert(t.issues).values(
                id=issue.id,
                org_id=issue.org_id,
                reference=issue.reference,
                subject=issue.subject,
                status=issue.status.value,
                customer_id=issue.customer_id,
                source_channel=issue.source_channel.value,
                owner_agent_id=issue.owner_agent_id,
                team_id=issue.team_id,
                tags=list(issue.tags),
                created_at=issue.created_at,
                updated_at=issue.created_at,
                linked_issue_id=issue.linked_issue_id,
                waiting_since=issue.waiting_since,
                given_contact=issue.given_contact.as_dict() if issue.given_contact else None,
                reply_channel=issue.reply_channel.value,
                reply_address=issue.reply_address,
                surface=issue.surface.value if issue.surface else None,
            )
        )
        await SearchIndex(self._conn).add_issue(issue)

    async def set_reply(
        self, org_id: str, issue_id: str, channel: Channel, address: str | None
    ) -> None:
        """Remember the channel (and address) the Customer last wrote through."""
        await self._conn.execute(
            update(t.issues)
            .where(_c.org_id == org_id, _c.id == issue_id)
            .values(reply_channel=channel.value, reply_address=address)
        )

    async def reference_taken(self, org_id: str, reference: str) -> bool:
        query = select(_c.id).where(_c.org_id == org_id, _c.reference == reference)
        return (await self._conn.execute(query)).first() is not None

    async def get(self, org_id: str, issue_id: str, *, for_update: bool = False) -> Issue | None:
        query = _GET_FOR_UPDATE if for_update else _GET
        rows = await query.execute(self._conn, {"org_id": org_id, "issue_id": issue_id})
        return _with_watchers(rows[0]) if rows else None

    async def get_for_send(
        self, org_id: str, issue_id: str, sender_key: str, key: str
    ) -> tuple[Issue, str | None] | None:
        """The Issue, locked like `get(for_update=True)`, and the id of the message
        that `sender_key` already sent with idempotency key `key` (anywhere in the
        organization), if any. None if there is no such Issue."""
        params = {"org_id": org_id, "issue_id": issue_id, "sender_key": sender_key, "key": key}
        rows = await _GET_FOR_SEND.execute(self._conn, params)
        return (_with_watchers(rows[0]), rows[0].keyed_message_id) if rows else None

    async def by_reference(self, org_id: str, reference: str) -> Issue | None:
        query = select(_c.id).where(_c.org_id == org_id, _c.reference == reference)
        issue_id = (await self._conn.execute(query)).scalar()
        return await self.get(org_id, issue_id) if issue_id else None

    async def save(self, issue: Issue, now: datetime) -> None:
        """Write the mutable fields of `issue` (not the room counters)."""
        await self._conn.execute(
            update(t.issues)
            .where(_c.org_id == issue.org_id, _c.id == issue.id)
            .values(
                subject=issue.subject,
                status=issue.status.value,
                owner_agent_id=issue.owner_agent_id,
                team_id=issue.team_id,
                tags=list(issue.tags),
                priority=issue.priority,
                claimed_at=issue.claimed_at,
                resolved_at=issue.resolved_at,
                updated_at=now,
            )
        )
        await SearchIndex(self._conn).update_issue(issue)

    async def add_watcher(self, org_id: str, issue_id: str, agent_id: str) -> bool:
        w = t.watchers.c
        exists = await self._conn.execute(
            select(w.agent_id).where(w.issue_id == issue_id, w.agent_id == agent_id)
        )
        if exists.first():
            return False
        await self._conn.execute(
            insert(t.watchers).values(org_id=org_id, issue_id=issue_id, agent_id=agent_id)
        )
        return True

    async def remove_watcher(self, org_id: str, issue_id: str, agent_id: str) -> bool:
        w = t.watchers.c
        result = await self._conn.execute(
            delete(t.watchers).where(
                w.org_id == org_id, w.issue_id == issue_id, w.agent_id == agent_id
            )
        )
        return bool(result.rowcount)

    async def count_open_owned(self, org_id: str, agent_id: str) -> int:
        query = select(func.count()).where(
            _c.org_id == org_id,
            _c.owner_agent_id == agent_id,
            _c.status.in_([s.value for s in OPEN_STATUSES]),
        )
        return int((await self._conn.execute(query)).scalar_one())

    async def open_for_customer(self, org_id: str, customer_id: str) -> Issue | None:
        """The Customer's newest Issue that is open or resolved (can take a new message)."""
        query = (
            select(_c.id)
            .where(
                _c.org_id == org_id,
                _c.customer_id == customer_id,
                _c.status.in_([IssueStatus.UNCLAIMED, IssueStatus.CLAIMED, IssueStatus.RESOLVED]),
            )
            .order_by(_c.id.desc())
            .limit(1)
        )
        issue_id = (await self._conn.execute(query)).scalar()
        return await self.get(org_id, issue_id) if issue_id else None

    async def queue(
        self,
        org_id: str,
        queue: Queue,
        *,
        agent_id: str,
        team_ids: tuple[str, ...],
        cursor: str | None,
        limit: int,
    ) -> list[Issue]:
        """One page of a queue, keyset-paged on id. Unclaimed is oldest first."""
        if queue is Queue.UNCLAIMED:
            return await self._unclaimed(org_id, team_ids, cursor, limit)
        query = select(t.issues).where(_c.org_id == org_id)
        if queue is Queue.MINE:
            query = query.where(
                _c.owner_agent_id == agent_id,
                _c.status.in_([s.value for s in OPEN_STATUSES]),
            )
        elif queue is Queue.WATCHING:
            watched = select(t.watchers.c.issue_id).where(
                t.watchers.c.org_id == org_id, t.watchers.c.agent_id == agent_id
            )
            query = query.where(_c.id.in_(watched))
        else:
            n = t.notifications.c
            mentioned = select(n.issue_id).where(
                n.org_id == org_id, n.agent_id == agent_id, n.kind == NotificationKind.MENTION
            )
            query = query.where(_c.id.in_(mentioned))
        if cursor:
            query = query.where(_c.id < cursor)
        query = query.order_by(_c.id.desc()).limit(limit)
        return await self._with_watchers((await self._conn.execute(query)).all())

    async def _unclaimed(
        self, org_id: str, team_ids: tuple[str, ...], cursor: str | None, limit: int
    ) -> list[Issue]:
        """Unclaimed Issues of these teams or of no team, oldest first. One branch
        per team, each read in id order straight from ix_issues_queue, then merged:
        a single `team_id IN (...) OR team_id IS NULL` would sort every unclaimed
        Issue of the organization to return the first page."""
        teams = [_c.team_id == team_id for team_id in team_ids] + [_c.team_id.is_(None)]
        branches = []
        for team in teams:
            branch = select(t.issues).where(
                _c.org_id == org_id, _c.status == IssueStatus.UNCLAIMED.value, team
            )
            if cursor:
                branch = branch.where(_c.id > cursor)
            branches.append(select(branch.order_by(_c.id).limit(limit).subquery()))
        merged = union_all(*branches).subquery()
        query = select(merged).order_by(merged.c.id).limit(limit)
        return await self._with_watchers((await self._conn.execute(query)).all())

    async def many(self, org_id: str, issue_ids: list[str]) -> list[Issue]:
        """These Issues of the organization, in the order given (missing ones left out)."""
        if not issue_ids:
            return []
        query = select(t.issues).where(_c.org_id == org_id, _c.id.in_(issue_ids))
        found = {
            i.id: i for i in await self._with_watchers((await self._conn.execute(query)).all())
        }
        return [found[i] for i in issue_ids if i in found]

    async def for_customer(
        self, org_id: str, customer_id: str, cursor: str | None, limit: int
    ) -> list[Issue]:
        query = select(t.issues).where(_c.org_id == org_id, _c.customer_id == customer_id)
        if cursor:
            query = query.where(_c.id < cursor)
        query = query.order_by(_c.id.desc()).limit(limit)
        return await self._with_watchers((await self._conn.execute(query)).all())

    async def _with_watchers(self, rows: Sequence[Row[Any]]) -> list[Issue]:
        watchers = await self._watchers([r.id for r in rows])
        return [to_issue(r, watchers[r.id]) for r in rows]

    async def _watchers(self, issue_ids: list[str]) -> dict[str, tuple[str, ...]]:
        found: dict[str, list[str]] = defaultdict(list)
        if issue_ids:
            w = t.watchers.c
            query = select(w.issue_id, w.agent_id).where(w.issue_id.in_(issue_ids))
            for issue_id, agent_id in (await self._conn.execute(query)).all():
                found[issue_id].append(agent_id)
        return {i: tuple(sorted(found[i])) for i in issue_ids}


class ActivityRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def add(self, entry: Activity) -> None:
        await self._conn.execute(
            insert(t.activity).values(
                id=entry.id,
                org_id=entry.org_id,
                issue_id=entry.issue_id,
                actor_kind=entry.actor_kind.value,
                actor_id=entry.actor_id,
                action=entry.action,
                detail=entry.detail,
                created_at=entry.created_at,
            )
        )

    async def for_message(self, org_id: str, issue_id: str, message_id: str) -> list[Activity]:
        """Entries about one message (those whose detail names it)."""
        entries = await self.for_issue(org_id, issue_id)
        return [e for e in entries if e.detail.get("message_id") == message_id]

    async def replace_detail(self, entry: Activity) -> None:
        a = t.activity.c
        await self._conn.execute(
            update(t.activity)
            .where(a.org_id == entry.org_id, a.id == entry.id)
            .values(detail=entry.detail)
        )

    async def for_issue(self, org_id: str, issue_id: str) -> list[Activity]:
        a = t.activity.c
        query = select(t.activity).where(a.org_id == org_id, a.issue_id == issue_id).order_by(a.id)
        return [to_activity(r) for r in (await self._conn.execute(query)).all()]

    async def count_action(self, org_id: str, issue_id: str, action: str) -> int:
        a = t.activity.c
        query = select(func.count()).where(
            a.org_id == org_id, a.issue_id == issue_id, a.action == action
        )
        return int((await self._conn.execute(query)).scalar_one())
