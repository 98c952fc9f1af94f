"""Knowledge articles and their full-text search: FTS5 (bm25) on SQLite, a
weighted tsvector (ts_rank_cd) on PostgreSQL. Only published articles are
searched; every query is scoped by organization."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, func, insert, select, text, update
from sqlalchemy.ext.asyncio import AsyncConnection

from caseroom.domain.knowledge import Article
from caseroom.storage import tables as t

_k = t.knowledge_articles.c

_SQLITE_SEARCH = text(
    "SELECT article_id, bm25(knowledge_fts, 0.0, 0.0, 8.0, 1.0, 4.0) AS score "
    "FROM knowledge_fts WHERE knowledge_fts MATCH :match AND org_id = :org "
    "ORDER BY score LIMIT :limit"
)
_POSTGRES_SEARCH = text(
    "SELECT id AS article_id, ts_rank_cd(search, query) AS score "
    "FROM knowledge_articles, to_tsquery('english', :match) AS query "
    "WHERE org_id = :org AND published AND search @@ query "
    "ORDER BY score DESC, updated_at DESC LIMIT :limit"
)


def _article(row: Any) -> Article:
    return Article(
        id=row.id,
        org_id=row.org_id,
        title=row.title,
        body=row.body,
        tags=tuple(row.tags or ()),
        team_id=row.team_id,
        published=bool(row.published),
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


class KnowledgeRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn
        self._sqlite = conn.dialect.name == "sqlite"

    async def add(self, article: Article) -> None:
        await self._conn.execute(insert(t.knowledge_articles).values(**_values(article)))
        await self._index(article)

    async def save(self, article: Article) -> None:
        await self._conn.execute(
            update(t.knowledge_articles)
            .where(_k.org_id == article.org_id, _k.id == article.id)
            .values(**_values(article))
        )
        await self._index(article)

    async def remove(self, org_id: str, article_id: str) -> None:
        if self._sqlite:
            await self._conn.execute(
                text("DELETE FROM knowledge_fts WHERE article_id = :id"), {"id": article_id}
            )
        await self._conn.execute(
            delete(t.knowledge_articles).where(_k.org_id == org_id, _k.id == article_id)
        )

    async def _index(self, article: Article) -> None:
        """SQLite's FTS5 table holds published articles only (PostgreSQL's column is
        generated with the row, and the query checks `published`)."""
        if not self._sqlite:
            return
        await self._conn.execute(
            text("DELETE FROM knowledge_fts WHERE article_id = :id"), {"id": article.id}
        )
        if article.published:
            await self._conn.execute(
                text(
                    "INSERT INTO knowledge_fts (article_id, org_id, title, body, tags) "
                    "VALUES (:id, :org, :title, :body, :tags)"
                ),
                {
                    "id": article.id,
                    "org": article.org_id,
                    "title": article.title,
                    "body": article.body,
                    "tags": " ".join(article.tags),
                },
            )

    async def get(self, org_id: str, article_id: str) -> Article | None:
        query = select(t.knowledge_articles).where(_k.org_id == org_id, _k.id == article_id)
        row = (await self._conn.execute(query)).first()
        return _article(row) if row else None

    async def of_org(self, org_id: str, *, published_only: bool) -> list[Article]:
        query = select(t.knowledge_articles).where(_k.org_id == org_id)
        if published_only:
            query = query.where(_k.published.is_(True))
        query = query.order_by(_k.title, _k.id)
        return [_article(r) for r in (await self._conn.execute(query)).all()]

    async def count(self, org_id: str) -> int:
        query = select(func.count()).where(_k.org_id == org_id)
        return int((await self._conn.execute(query)).scalar_one())

    async def search(
        self, org_id: str, words: list[str], limit: int
    ) -> list[tuple[Article, float]]:
        """Published articles matching any of `words`, best first, with a score where
        higher is better (either index's own ranking)."""
        if not words:
            return []
        if self._sqlite:
            match = " OR ".join(f'"{w}"' for w in words)
            rows = (
                await self._conn.execute(
                    _SQLITE_SEARCH, {"match": match, "org": org_id, "limit": limit}
                )
            ).all()
            scored = [(r.article_id, -float(r.score)) for r in rows]
        else:
            match = " | ".join(f"'{w}'" for w in words)
            rows = (
                await self._conn.execute(
                    _POSTGRES_SEARCH, {"match": match, "org": org_id, "limit": limit}
                )
            ).all()
            scored = [(r.article_id, float(r.score)) for r in rows]
        if not scored:
            return []
        ids = [article_id for article_id, _ in scored]
        query = select(t.knowledge_articles).where(_k.org_id == org_id, _k.id.in_(ids))
        found = {r.id: _article(r) for r in (await self._conn.execute(query)).all()}
        return [(found[i], score) for i, score in scored if i in found]


def _values(article: Article) -> dict[str, Any]:
    return {
        "id": article.id,
        "org_id": article.org_id,
        "title": article.title,
        "body": article.body,
        "tags": list(article.tags),
        "team_id": article.team_id,
        "published": article.published,
        "created_at": article.created_at,
        "updated_at": article.updated_at,
    }
