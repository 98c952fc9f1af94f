"""Knowledge articles: admins write and publish them; agents, the assist bot
`#kb` and the welcome bot search them; Customers read published ones."""

from __future__ import annotations

import dataclasses

from caseroom.domain.errors import InvalidInput, LimitReached, NotFound
from caseroom.domain.ids import new_id
from caseroom.domain.knowledge import (
    BODY_MAX_CHARS,
    TAGS_MAX,
    TITLE_MAX_CHARS,
    Article,
    Hit,
    excerpt,
    query_words,
)
from caseroom.domain.model import Principal
from caseroom.domain.text import clean_text
from caseroom.services.audit import audit
from caseroom.services.common import require_admin, require_agent, utcnow
from caseroom.storage.uow import UnitOfWork

ARTICLES_MAX = 20_000  # per organization


@dataclasses.dataclass(frozen=True, slots=True)
class ArticleDraft:
    title: str
    body: str
    tags: tuple[str, ...] = ()
    team_id: str | None = None
    published: bool = False


async def _checked(uow: UnitOfWork, org_id: str, draft: ArticleDraft) -> ArticleDraft:
    tags = tuple(dict.fromkeys(clean_text(t, field="tags", max_chars=40) for t in draft.tags))
    if len(tags) > TAGS_MAX:
        raise InvalidInput(f"at most {TAGS_MAX} tags", field="tags")
    if draft.team_id is not None and await uow.teams.get(org_id, draft.team_id) is None:
        raise InvalidInput("no such team", field="team_id")
    return ArticleDraft(
        clean_text(draft.title, field="title", max_chars=TITLE_MAX_CHARS, multiline=False),
        clean_text(draft.body, field="body", max_chars=BODY_MAX_CHARS),
        tags,
        draft.team_id,
        draft.published,
    )


async def create_article(principal: Principal, uow: UnitOfWork, draft: ArticleDraft) -> Article:
    admin = require_admin(principal)
    if await uow.knowledge.count(admin.org_id) >= ARTICLES_MAX:
        raise LimitReached(f"an organization has at most {ARTICLES_MAX} articles")
    draft = await _checked(uow, admin.org_id, draft)
    now = utcnow()
    article = Article(
        new_id(), admin.org_id, draft.title, draft.body, draft.tags, draft.team_id,
        draft.published, now, now,
    )  # fmt: skip
    await uow.knowledge.add(article)
    await audit(uow, admin.org_id, admin, "article.create", ("article", article.id))
    return article


async def update_article(
    principal: Principal, uow: UnitOfWork, article_id: str, draft: ArticleDraft
) -> Article:
    admin = require_admin(principal)
    current = await uow.knowledge.get(admin.org_id, article_id)
    if current is None:
        raise NotFound("no such article")
    draft = await _checked(uow, admin.org_id, draft)
    article = dataclasses.replace(
        current,
        title=draft.title,
        body=draft.body,
        tags=draft.tags,
        team_id=draft.team_id,
        published=draft.published,
        updated_at=utcnow(),
    )
    await uow.knowledge.save(article)
    await audit(uow, admin.org_id, admin, "article.update", ("article", article.id))
    return article


async def delete_article(principal: Principal, uow: UnitOfWork, article_id: str) -> None:
    admin = require_admin(principal)
    if await uow.knowledge.get(admin.org_id, article_id) is None:
        raise NotFound("no such article")
    await uow.knowledge.remove(admin.org_id, article_id)
    await audit(uow, admin.org_id, admin, "article.delete", ("article", article_id))


async def list_articles(principal: Principal, uow: UnitOfWork) -> list[Article]:
    agent = require_agent(principal)
    return await uow.knowledge.of_org(agent.org_id, published_only=not agent.is_admin)


async def get_article(principal: Principal, uow: UnitOfWork, article_id: str) -> Article:
    agent = require_agent(principal)
    article = await uow.knowledge.get(agent.org_id, article_id)
    if article is None or not (article.published or agent.is_admin):
        raise NotFound("no such article")
    return article


async def published_article(uow: UnitOfWork, org_slug: str, article_id: str) -> Article:
    """An article as anyone may read it: published ones only."""
    org = await uow.organizations.by_slug(org_slug)
    article = await uow.knowledge.get(org.id, article_id) if org else None
    if article is None or not article.published:
        raise NotFound("no such article")
    return article


async def search_knowledge(uow: UnitOfWork, org_id: str, query: str, *, limit: int) -> list[Hit]:
    """Published articles for `query`, best first (the database's ranking)."""
    words = query_words(query)
    found = await uow.knowledge.search(org_id, words, limit)
    return [Hit(a, score, excerpt(a.body, words)) for a, score in found]


async def search_articles(
    principal: Principal, uow: UnitOfWork, query: str, *, limit: int
) -> list[Hit]:
    agent = require_agent(principal)
    return await search_knowledge(uow, agent.org_id, query, limit=limit)
