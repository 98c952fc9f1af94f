"""The search index (written alongside every change it mirrors) and the query that
finds Issues by their words and filters, on SQLite FTS5 and PostgreSQL alike."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    case,
    column,
    delete,
    exists,
    false,
    func,
    insert,
    literal_column,
    or_,
    select,
    table,
    update,
)
from sqlalchemy.ext.asyncio import AsyncConnection

from caseroom.domain.model import (
    Issue,
    IssueStatus,
    Message,
    MessageKind,
    NotificationKind,
    Queue,
    Room,
)
from caseroom.domain.search import Sort, index_terms, phone_digits
from caseroom.domain.status import OPEN_STATUSES
from caseroom.domain.visibility import SearchReach
from caseroom.storage import tables as t

_e = t.search_entries.c
_c = t.issues.c
_fts = table("search_fts", column("rowid"), column("rank"))
_EVERYTHING = frozenset((room, kind) for room in Room for kind in MessageKind)


@dataclass(frozen=True, slots=True)
class Criteria:
    """What to find: a queue or view, words, filters that combine, an order."""

    queue: Queue
    words: tuple[str, ...] = ()
    team_id: str | None = None
    owner_agent_id: str | None = None
    tag: str | None = None
    channel: str | None = None
    sort: Sort | None = None  # None: by rank when there are words, else last activity
    agent_id: str | None = None  # who asks (mine, watching, mentions, unclaimed)
    agent_team_ids: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class BestEntry:
    issue_id: str
    message_id: str | None
    room: str | None


class SearchIndex:
    """Keeps search_entries in step; each call runs in the caller's transaction."""

    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def add_message(self, message: Message) -> None:
        terms = index_terms(message.body)
        if terms and message.deleted_at is None:
            await self._conn.execute(
                insert(t.search_entries).values(
                    org_id=message.org_id,
                    issue_id=message.issue_id,
                    message_id=message.id,
                    room=message.room.value,
                    kind=message.kind.value,
                    terms=terms,
                )
            )

    async def replace_message(self, message: Message) -> None:
        """After an edit, a deletion or a redaction: the index holds only what the
        message says now (a redacted secret leaves the index with the change)."""
        await self._conn.execute(
            delete(t.search_entries).where(_e.org_id == message.org_id, _e.message_id == message.id)
        )
        await self.add_message(message)

    async def add_issue(self, issue: Issue) -> None:
        await self._conn.execute(
            insert(t.search_entries).values(
                org_id=issue.org_id,
                issue_id=issue.id,
                terms=await self._header_terms(
                    issue.org_id, issue.reference, issue.subject, issue.customer_id
                ),
            )
        )

    async def update_issue(self, issue: Issue) -> None:
        terms = await self._header_terms(
            issue.org_id, issue.reference, issue.subject, issue.customer_id
        )
        await self._conn.execute(
            update(t.search_entries)
            .where(_e.org_id == issue.org_id, _e.issue_id == issue.id, _e.message_id.is_(None))
            .values(terms=terms)
        )

    async def update_customer(self, org_id: str, customer_id: str) -> None:
        """After the Customer's contact details changed: every Issue of theirs."""
        query = select(_c.id, _c.reference, _c.subject).where(
            _c.org_id == org_id, _c.customer_id == customer_id
        )
        for issue_id, reference, subject in (await self._conn.execute(query)).all():
            terms = await self._header_terms(org_id, reference, subject, customer_id)
            await self._conn.execute(
                update(t.search_entries)
                .where(_e.org_id == org_id, _e.issue_id == issue_id, _e.message_id.is_(None))
                .values(terms=terms)
            )

    async def _header_terms(
        self, org_id: str, reference: str, subject: str, customer_id: str
    ) -> str:
        cu = t.customers.c
        query = select(cu.name, cu.email, cu.phone).where(cu.org_id == org_id, cu.id == customer_id)
        row = (await self._conn.execute(query)).first()
        name, email, phone = (row.name, row.email, row.phone) if row else ("", None, None)
        return index_terms(reference, subject, name, email, phone, phone_digits(phone))


class IssueFinder:
    """Finds Issues for a reach (what the asker may see) and criteria."""

    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn
        self._postgres = conn.dialect.name == "postgresql"

    async def find(
        self, reach: SearchReach, criteria: Criteria, *, offset: int, limit: int
    ) -> list[str]:
        """Ids of one page of matching Issues, best first."""
        query = select(_c.id).where(*self._issue_filters(reach, criteria))
        order: list[Any] = []
        if criteria.words:
            matched = self._matches(reach, criteria.words, group=True).subquery()
            query = query.join(matched, matched.c.issue_id == _c.id)
            if criteria.sort is None:
                order.append(matched.c.score.desc())
        order.extend(_ORDER[criteria.sort or Sort.LAST_ACTIVITY])
        query = query.order_by(*order).offset(offset).limit(limit)
        return list((await self._conn.execute(query)).scalars())

    async def best_entries(
        self, reach: SearchReach, words: tuple[str, ...], issue_ids: list[str]
    ) -> dict[str, BestEntry]:
        """For each Issue, the entry that matched best (to show and highlight)."""
        if not issue_ids or not words:
            return {}
        query = self._matches(reach, words, group=False).where(_e.issue_id.in_(issue_ids))
        best: dict[str, BestEntry] = {}
        for row in (await self._conn.execute(query)).all():
            if row.issue_id not in best:
                best[row.issue_id] = BestEntry(row.issue_id, row.message_id, row.room)
        return best

    async def message_bodies(self, org_id: str, message_ids: list[str]) -> dict[str, str]:
        """The current text of these messages (redacted where it was), in one query."""
        if not message_ids:
            return {}
        m = t.messages.c
        query = select(m.id, m.body).where(m.org_id == org_id, m.id.in_(message_ids))
        return {row.id: row.body for row in (await self._conn.execute(query)).all()}

    async def contacts(
        self, org_id: str, customer_ids: list[str]
    ) -> dict[str, tuple[str, str | None, str | None]]:
        """(name, email, phone) of these Customers, in one query."""
        if not customer_ids:
            return {}
        cu = t.customers.c
        query = select(cu.id, cu.name, cu.email, cu.phone).where(
            cu.org_id == org_id, cu.id.in_(customer_ids)
        )
        rows = (await self._conn.execute(query)).all()
        return {row.id: (row.name, row.email, row.phone) for row in rows}

    def _matches(self, reach: SearchReach, words: tuple[str, ...], *, group: bool) -> Select[Any]:
        """Entries matching every word (as a prefix) that the reach may see, scored
        (higher is better); grouped per Issue, or every entry best first."""
        if self._postgres:
            tsquery = func.to_tsquery("simple", " & ".join(f"{w}:*" for w in words))
            tsv: ColumnElement[Any] = literal_column("search_entries.tsv")
            score: ColumnElement[Any] = func.ts_rank(tsv, tsquery)
            source: Any = t.search_entries
            match = tsv.op("@@")(tsquery)
        else:
            fts_query = " ".join(f'"{w}"*' for w in words)
            score = -_fts.c.rank
            source = t.search_entries.join(_fts, _fts.c.rowid == _e.id)
            match = literal_column("search_fts").op("MATCH")(fts_query)
        # On SQLite the organization is compared through an expression no index
        # serves, so that the planner starts from the full-text match (a handful of
        # rows) rather than from every entry of the organization, matching each.
        org: ColumnElement[Any] = _e.org_id if self._postgres else _e.org_id.op("||")("")
        seen = [_e.room.is_(None)] + [
            and_(_e.room == room.value, _e.kind == kind.value) for room, kind in reach.rooms_kinds
        ]
        filters = [match, org == reach.org_id]
        if reach.rooms_kinds != _EVERYTHING:  # agents see every entry: no filter
            filters.append(or_(*seen))
        if group:
            best = func.max(score).label("score")
            return (
                select(_e.issue_id, best).select_from(source).where(*filters).group_by(_e.issue_id)
            )
        columns = (_e.issue_id, _e.message_id, _e.room, score.label("score"))
        return (
            select(*columns)
            .select_from(source)
            .where(*filters)
            .order_by(score.desc(), _e.id.desc())
        )

    def _issue_filters(self, reach: SearchReach, c: Criteria) -> list[ColumnElement[bool]]:
        filters: list[ColumnElement[bool]] = [_c.org_id == reach.org_id]
        if reach.customer_id is not None:
            filters.append(_c.customer_id == reach.customer_id)
            if reach.issue_ids is not None:
                filters.append(_c.id.in_(sorted(reach.issue_ids)) if reach.issue_ids else false())
        else:
            filters.extend(self._queue_filters(reach.org_id, c))
        if c.team_id is not None:
            filters.append(_c.team_id == c.team_id)
        if c.owner_agent_id is not None:
            filters.append(_c.owner_agent_id == c.owner_agent_id)
        if c.channel is not None:
            filters.append(_c.source_channel == c.channel)
        if c.tag is not None:
            filters.append(self._has_tag(c.tag))
        return filters

    def _queue_filters(self, org_id: str, c: Criteria) -> list[ColumnElement[bool]]:
        open_values = [s.value for s in OPEN_STATUSES]
        match c.queue:
            case Queue.ALL:
                return []
            case Queue.OPEN:
                return [_c.status.in_(open_values)]
            case Queue.RESOLVED:
                return [_c.status == IssueStatus.RESOLVED.value]
            case Queue.CLOSED:
                return [_c.status.in_([IssueStatus.CLOSED.value, IssueStatus.CANCELED.value])]
            case Queue.UNCLAIMED:
                teams = [_c.team_id.is_(None)]
                if c.agent_team_ids:
                    teams.append(_c.team_id.in_(c.agent_team_ids))
                return [_c.status == IssueStatus.UNCLAIMED.value, or_(*teams)]
            case Queue.MINE:
                return [_c.owner_agent_id == c.agent_id, _c.status.in_(open_values)]
            case Queue.WATCHING:
                w = t.watchers.c
                watched = select(w.issue_id).where(w.org_id == org_id, w.agent_id == c.agent_id)
                return [_c.id.in_(watched)]
            case Queue.MENTIONS:
                n = t.notifications.c
                mentioned = select(n.issue_id).where(
                    n.org_id == org_id,
                    n.agent_id == c.agent_id,
                    n.kind == NotificationKind.MENTION,
                )
                return [_c.id.in_(mentioned)]
        raise AssertionError(c.queue)

    def _has_tag(self, tag: str) -> ColumnElement[bool]:
        if self._postgres:
            return literal_column("issues.tags::jsonb").op("@>")(func.jsonb_build_array(tag))
        each = func.json_each(_c.tags).table_valued("value")
        return exists(select(each.c.value).where(each.c.value == tag))


_ORDER: dict[Sort, list[Any]] = {
    Sort.LAST_ACTIVITY: [func.coalesce(_c.last_message_at, _c.created_at).desc(), _c.id.desc()],
    # Longest waiting first; Issues nobody waits on after them.
    Sort.WAITING: [case((_c.waiting_since.is_(None), 1), else_=0), _c.waiting_since, _c.id],
    Sort.CREATED: [_c.created_at.desc(), _c.id.desc()],
}
