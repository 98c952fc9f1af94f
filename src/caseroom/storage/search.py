"""The query that finds Issues by their words and filters, on SQLite FTS5 and
PostgreSQL alike (the index it reads is written by storage/search_index.py)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    ARRAY,
    ColumnElement,
    Integer,
    Select,
    and_,
    any_,
    case,
    column,
    false,
    func,
    literal,
    literal_column,
    or_,
    select,
    table,
    text,
    union_all,
)
from sqlalchemy.ext.asyncio import AsyncConnection

from caseroom.domain.model import (
    IssueStatus,
    MessageKind,
    NotificationKind,
    Queue,
    Room,
)
from caseroom.domain.search import Sort
from caseroom.domain.status import OPEN_STATUSES
from caseroom.domain.visibility import SearchReach
from caseroom.storage import tables as t

_e = t.search_entries.c
_c = t.issues.c
_fts = table("search_fts", column("rowid"), column("rank"))
_TSV: ColumnElement[Any] = literal_column("search_entries.tsv")
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
class Candidates:
    """The newest entries matching some words, newest first, and the Issues they
    belong to: every match, or (`more`) those of the newest matching Issues."""

    entry_ids: list[int]
    issue_ids: list[str]
    more: bool


@dataclass(frozen=True, slots=True)
class BestEntry:
    issue_id: str
    message_id: str | None
    room: str | None


@dataclass(frozen=True, slots=True)
class FoundIds:
    """One page of matching Issues, best first; with words ranked among
    candidates, the entry that matched best in each, and `ranked_among` when the
    candidates were only the newest so many of the matching Issues."""

    ids: list[str]
    best: dict[str, BestEntry] | None = None
    ranked_among: int | None = None


class IssueFinder:
    """Finds Issues for a reach (what the asker may see) and criteria."""

    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn
        self._postgres = conn.dialect.name == "postgresql"

    async def find(
        self,
        reach: SearchReach,
        criteria: Criteria,
        *,
        offset: int,
        limit: int,
        candidates: int | None = None,
    ) -> FoundIds:
        """Ids of one page of matching Issues, best first. With `candidates`, words
        that match more Issues than that rank among the newest `candidates` of them
        only (scoring every match of a common word is what made it slow), unless
        the filters leave less than a page of those, or the view itself holds
        fewer Issues than `candidates`: then among every match."""
        if self._postgres:
            # Which plan is quick depends on the values (a rare word or a common
            # one, a tag few Issues carry): a generic plan, which PostgreSQL
            # switches a prepared statement to after five runs, cannot know them.
            await self._conn.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))
        if not criteria.words or candidates is None:
            return await self._page(reach, criteria, offset, limit)
        if await self._view_holds_fewer(reach, criteria, candidates):
            return await self._page(reach, criteria, offset, limit, small_view=True)
        among = await self._candidates(reach, criteria.words, candidates)
        scores, best = await self._scores(reach, criteria.words, among)
        ranked = await self._rank(reach, criteria, scores)
        if among.more and len(ranked) < limit:
            return await self._page(reach, criteria, offset, limit)
        ids = ranked[offset : offset + limit]
        return FoundIds(ids, {i: best[i] for i in ids}, candidates if among.more else None)

    async def _page(
        self,
        reach: SearchReach,
        criteria: Criteria,
        offset: int,
        limit: int,
        *,
        small_view: bool = False,
    ) -> FoundIds:
        """One page of every Issue the criteria find, in one query (a view
        without words: see `_view_page`). The matches are joined to the Issues
        before grouping, so that a view of few Issues can be read first and only
        its entries matched and scored (`small_view`, on SQLite: see
        `_among_the_views_entries`)."""
        if self._walks_the_view(reach, criteria):
            return await self._view_page(reach, criteria, offset, limit)
        query = self._view(reach, criteria)
        order: list[Any] = []
        if criteria.words:
            source, score = self._scored_source(criteria.words)
            query = (
                query.select_from(source.join(t.issues, _c.id == _e.issue_id))
                .where(self._match(criteria.words), *self._entry_filters(reach))
                .group_by(_c.id)
            )
            if small_view and not self._postgres:
                query = query.where(self._among_the_views_entries(reach, criteria))
            if not self._postgres:
                # SQLite gives a max()'s other columns from the row that had it:
                # each Issue's best entry, without scoring every match again.
                query = query.add_columns(func.max(score), _e.message_id, _e.room)
            if criteria.sort is None:
                order.append(func.max(score).desc())
        order.extend(_ORDER[criteria.sort or Sort.LAST_ACTIVITY])
        query = query.order_by(*order).offset(offset).limit(limit)
        rows = (await self._conn.execute(query)).all()
        ids = [row[0] for row in rows]
        if not criteria.words or self._postgres:
            return FoundIds(ids)
        return FoundIds(ids, {row[0]: BestEntry(row[0], row[2], row[3]) for row in rows})

    def _view(self, reach: SearchReach, criteria: Criteria) -> Select[Any]:
        """The ids of the Issues the criteria's queue and filters leave, words aside."""
        return select(_c.id).where(*self._issue_filters(reach, criteria))

    async def _view_holds_fewer(self, reach: SearchReach, criteria: Criteria, size: int) -> bool:
        """Whether the view's Issues are fewer than `size`; counted no further."""
        view = self._view(reach, criteria).limit(size).subquery()
        count = (await self._conn.execute(select(func.count()).select_from(view))).scalar_one()
        return bool(count < size)

    def _among_the_views_entries(
        self, reach: SearchReach, criteria: Criteria
    ) -> ColumnElement[bool]:
        """SQLite: the full-text matches kept to the entries of the view's Issues.
        FTS5 can only walk its matches (a rowid it is handed, it looks up by
        reading the words' whole lists again), so the rowid is compared as an
        expression it is not offered: the walk, unscored, checks each match
        against the view's entries, and only those that pass are scored."""
        view = self._view(reach, criteria)
        entries = select(_e.id).where(_e.org_id == reach.org_id, _e.issue_id.in_(view))
        return (_fts.c.rowid + 0).in_(entries)

    @staticmethod
    def _walks_the_view(reach: SearchReach, criteria: Criteria) -> bool:
        """Whether a page is best read by walking a view's Issues in last-activity
        order: a view without words, for an agent, and no filter that an index of
        its own narrows (an owner, a team) to a few Issues quicker to sort."""
        return (
            criteria.queue in _VIEW_STATUSES
            and not criteria.words
            and criteria.sort in (None, Sort.LAST_ACTIVITY)
            and reach.customer_id is None
            and criteria.owner_agent_id is None
            and criteria.team_id is None
        )

    async def _view_page(
        self, reach: SearchReach, criteria: Criteria, offset: int, limit: int
    ) -> FoundIds:
        """A page of a view in last-activity order: each status's Issues read in
        that order from ix_issues_activity up to the page's end, then merged (one
        `status IN (...)` would sort the whole view to give one page)."""
        statuses = _VIEW_STATUSES[criteria.queue]
        common = self._issue_filters(reach, dataclasses.replace(criteria, queue=Queue.ALL))
        branches = [
            select(_c.id, _ACTIVITY.label("activity"))
            .where(*common, _c.status == status.value)
            .order_by(*_ORDER[Sort.LAST_ACTIVITY])
            .limit(offset + limit)
            .subquery()
            for status in statuses
        ]
        merged = union_all(*(select(branch) for branch in branches)).subquery()
        query = (
            select(merged.c.id)
            .order_by(merged.c.activity.desc(), merged.c.id.desc())
            .offset(offset)
            .limit(limit)
        )
        return FoundIds(list((await self._conn.execute(query)).scalars()))

    async def _candidates(self, reach: SearchReach, words: tuple[str, ...], cap: int) -> Candidates:
        """The matching entries of the newest `cap` matching Issues, read newest
        first in batches (both indexes give that order without scoring), up to a
        bound on the entries read, so that one huge Issue cannot stall a search.
        On PostgreSQL the batches are small: asked for few rows, it walks the
        newest entries backwards when its statistics say the words are common,
        and reads the GIN index (then sorts) only for words they say are rare."""
        entry_ids: list[int] = []
        issue_ids: dict[str, None] = {}
        batch, most = (cap if self._postgres else cap * 4), cap * 20
        while True:
            before = entry_ids[-1] if entry_ids else None
            query = self._newest_matches(reach, words, before=before).limit(batch)
            rows = (await self._conn.execute(query)).all()
            for entry_id, issue_id in rows:
                if issue_id not in issue_ids:
                    if len(issue_ids) == cap:
                        return Candidates(entry_ids, list(issue_ids), more=True)
                    issue_ids[issue_id] = None
                entry_ids.append(entry_id)
            if len(rows) < batch:
                return Candidates(entry_ids, list(issue_ids), more=False)
            if len(entry_ids) >= most:
                return Candidates(entry_ids, list(issue_ids), more=True)

    async def _scores(
        self, reach: SearchReach, words: tuple[str, ...], among: Candidates
    ) -> tuple[dict[str, float], dict[str, BestEntry]]:
        """Each candidate Issue's score (its best entry's) and that entry, from
        one pass over the candidate entries."""
        scores: dict[str, float] = {}
        best: dict[str, BestEntry] = {}
        if not among.entry_ids:
            return scores, best
        query = self._matches(reach, words, among=among)
        for row in (await self._conn.execute(query)).all():  # best first
            if row.issue_id not in best:
                scores[row.issue_id] = row.score
                best[row.issue_id] = BestEntry(row.issue_id, row.message_id, row.room)
        return scores, best

    async def _rank(
        self, reach: SearchReach, criteria: Criteria, scores: dict[str, float]
    ) -> list[str]:
        """The scored Issues the filters leave, in the criteria's order: best
        first, then the latest activity; or the sort asked for."""
        if not scores:
            return []
        filters = [*self._issue_filters(reach, criteria), _c.id.in_(list(scores))]
        if criteria.sort is not None:
            query = select(_c.id).where(*filters).order_by(*_ORDER[criteria.sort])
            return list((await self._conn.execute(query)).scalars())
        rows = (await self._conn.execute(select(_c.id, _ACTIVITY).where(*filters))).all()
        ranked = sorted(rows, key=lambda row: (scores[row[0]], row[1], row[0]), reverse=True)
        return [row[0] for row in ranked]

    async def best_entries(
        self, reach: SearchReach, words: tuple[str, ...], issue_ids: list[str]
    ) -> dict[str, BestEntry]:
        """For each Issue, the entry that matched best (to show and highlight)."""
        if not issue_ids or not words:
            return {}
        query = self._matches(reach, words, among=None).where(_e.issue_id.in_(issue_ids))
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

    def _newest_matches(
        self, reach: SearchReach, words: tuple[str, ...], *, before: int | None
    ) -> Select[Any]:
        """(id, issue id) of the entries matching every word that the reach may
        see, newest first, unscored; older than `before` if given."""
        filters = [self._match(words), *self._entry_filters(reach)]
        if self._postgres:
            entry_id: ColumnElement[Any] = _e.id
            source: Any = t.search_entries
        else:  # FTS5 walks its rowids backwards itself
            entry_id = _fts.c.rowid
            source = t.search_entries.join(_fts, _fts.c.rowid == _e.id)
        if before is not None:
            filters.append(entry_id < before)
        return (
            select(entry_id, _e.issue_id)
            .select_from(source)
            .where(*filters)
            .order_by(entry_id.desc())
        )

    def _matches(
        self,
        reach: SearchReach,
        words: tuple[str, ...],
        *,
        among: Candidates | None,
    ) -> Select[Any]:
        """Entries matching every word (as a prefix) that the reach may see, only
        the candidates if given, scored (higher is better), best first."""
        filters = self._entry_filters(reach)
        source, score = self._scored_source(words)
        if self._postgres:
            if among is None:
                filters.append(self._match(words))
            else:  # known matches, by id: no second pass over the full-text index
                filters.append(_e.id == any_(literal(among.entry_ids, ARRAY(Integer))))
        else:
            filters.append(self._match(words))
            if among is not None:
                # The candidates are the newest matches: a range FTS5 keeps to itself
                # (naming rowids one by one would make it rescore each).
                filters.append(_fts.c.rowid >= among.entry_ids[-1])
        columns = (_e.issue_id, _e.message_id, _e.room, score.label("score"))
        return (
            select(*columns)
            .select_from(source)
            .where(*filters)
            .order_by(score.desc(), _e.id.desc())
        )

    def _scored_source(self, words: tuple[str, ...]) -> tuple[Any, ColumnElement[Any]]:
        """The entries to select from, and the score of one (higher is better)."""
        if self._postgres:
            return t.search_entries, func.ts_rank(_TSV, self._tsquery(words))
        return t.search_entries.join(_fts, _fts.c.rowid == _e.id), -_fts.c.rank

    def _tsquery(self, words: tuple[str, ...]) -> ColumnElement[Any]:
        return func.to_tsquery("simple", " & ".join(f"{w}:*" for w in words))

    def _match(self, words: tuple[str, ...]) -> ColumnElement[bool]:
        """Entries holding every word, as a prefix."""
        if self._postgres:
            return _TSV.op("@@")(self._tsquery(words))
        fts_query = " ".join(f'"{w}"*' for w in words)
        return literal_column("search_fts").op("MATCH")(fts_query)

    def _entry_filters(self, reach: SearchReach) -> list[ColumnElement[bool]]:
        """Entries of the organization that the reach may see."""
        # On SQLite the organization is compared through an expression no index
        # serves, so that the planner starts from the full-text match (a handful of
        # rows) rather than from every entry of the organization, matching each.
        org: ColumnElement[Any] = _e.org_id if self._postgres else _e.org_id.op("||")("")
        filters = [org == reach.org_id]
        if reach.customer_id is not None:  # their own Issues' entries only
            own = self._customer_filters(reach)
            filters.append(_e.issue_id.in_(select(_c.id).where(_c.org_id == reach.org_id, *own)))
        if reach.rooms_kinds != _EVERYTHING:  # agents see every entry: no filter
            seen = [_e.room.is_(None)] + [
                and_(_e.room == room.value, _e.kind == kind.value)
                for room, kind in reach.rooms_kinds
            ]
            filters.append(or_(*seen))
        return filters

    def _issue_filters(self, reach: SearchReach, c: Criteria) -> list[ColumnElement[bool]]:
        filters: list[ColumnElement[bool]] = [_c.org_id == reach.org_id]
        if reach.customer_id is not None:
            filters.extend(self._customer_filters(reach))
        else:
            filters.extend(self._queue_filters(reach.org_id, c))
        if c.team_id is not None:
            filters.append(_c.team_id == c.team_id)
        if c.owner_agent_id is not None:
            filters.append(_c.owner_agent_id == c.owner_agent_id)
        if c.channel is not None:
            filters.append(_c.source_channel == c.channel)
        if c.tag is not None:
            filters.append(self._has_tag(reach.org_id, c.tag))
        return filters

    def _customer_filters(self, reach: SearchReach) -> list[ColumnElement[bool]]:
        """A Customer's own Issues, those their token grants if it names some."""
        filters = [_c.customer_id == reach.customer_id]
        if reach.issue_ids is not None:
            filters.append(_c.id.in_(sorted(reach.issue_ids)) if reach.issue_ids else false())
        return filters

    def _queue_filters(self, org_id: str, c: Criteria) -> list[ColumnElement[bool]]:
        open_values = [s.value for s in OPEN_STATUSES]
        match c.queue:
            case Queue.ALL:
                return []
            case Queue.OPEN | Queue.RESOLVED | Queue.CLOSED:
                return [_c.status.in_([s.value for s in _VIEW_STATUSES[c.queue]])]
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

    def _has_tag(self, org_id: str, tag: str) -> ColumnElement[bool]:
        g = t.issue_tags.c
        return _c.id.in_(select(g.issue_id).where(g.org_id == org_id, g.tag == tag))


_ACTIVITY = func.coalesce(_c.last_message_at, _c.created_at)
# The statuses each view of the whole history shows.
_VIEW_STATUSES: dict[Queue, tuple[IssueStatus, ...]] = {
    Queue.ALL: tuple(IssueStatus),
    Queue.OPEN: tuple(sorted(OPEN_STATUSES)),
    Queue.RESOLVED: (IssueStatus.RESOLVED,),
    Queue.CLOSED: (IssueStatus.CLOSED, IssueStatus.CANCELED),
}
_ORDER: dict[Sort, list[Any]] = {
    Sort.LAST_ACTIVITY: [_ACTIVITY.desc(), _c.id.desc()],
    # Longest waiting first; Issues nobody waits on after them.
    Sort.WAITING: [case((_c.waiting_since.is_(None), 1), else_=0), _c.waiting_since, _c.id],
    Sort.CREATED: [_c.created_at.desc(), _c.id.desc()],
}
