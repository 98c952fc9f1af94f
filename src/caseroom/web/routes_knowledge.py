"""Knowledge articles: admins write them, agents read and search them, and anyone
reads a published one (the JSON, or the page the bots link to)."""

from __future__ import annotations

import html
from typing import Annotated

from fastapi import APIRouter, Query, status
from fastapi.responses import HTMLResponse

from caseroom.domain.knowledge import Article, render_markdown
from caseroom.services import knowledge
from caseroom.storage.uow import UnitOfWork
from caseroom.web.deps import Context, CurrentPrincipal
from caseroom.web.schemas_bots import ArticleHitOut, ArticleOut, ArticleWrite

router = APIRouter(prefix="/api/v1", tags=["knowledge"])
pages = APIRouter(include_in_schema=False)


def _draft(body: ArticleWrite) -> knowledge.ArticleDraft:
    return knowledge.ArticleDraft(
        body.title, body.body, tuple(body.tags), body.team_id, body.published
    )


@router.get("/articles", response_model=list[ArticleOut])
async def list_articles(principal: CurrentPrincipal, context: Context) -> list[ArticleOut]:
    """Published articles (admins: drafts too), by title."""

    async def work(uow: UnitOfWork) -> list[ArticleOut]:
        return [ArticleOut.of(a) for a in await knowledge.list_articles(principal, uow)]

    return await context.db.read(work)


@router.get("/articles/search", response_model=list[ArticleHitOut])
async def search_articles(
    principal: CurrentPrincipal,
    context: Context,
    q: Annotated[str, Query(min_length=1, max_length=200)],
    limit: Annotated[int, Query(ge=1, le=50)] = 10,
) -> list[ArticleHitOut]:
    """Published articles for the words, best first (the database's full-text rank)."""

    async def work(uow: UnitOfWork) -> list[ArticleHitOut]:
        hits = await knowledge.search_articles(principal, uow, q, limit=limit)
        return [ArticleHitOut.of(h) for h in hits]

    return await context.db.read(work)


@router.post("/articles", response_model=ArticleOut, status_code=status.HTTP_201_CREATED)
async def create_article(
    body: ArticleWrite, principal: CurrentPrincipal, context: Context
) -> ArticleOut:
    async def work(uow: UnitOfWork) -> ArticleOut:
        return ArticleOut.of(await knowledge.create_article(principal, uow, _draft(body)))

    return await context.db.run(work)


@router.get("/articles/{article_id}", response_model=ArticleOut)
async def get_article(article_id: str, principal: CurrentPrincipal, context: Context) -> ArticleOut:
    async def work(uow: UnitOfWork) -> ArticleOut:
        return ArticleOut.of(await knowledge.get_article(principal, uow, article_id))

    return await context.db.read(work)


@router.put("/articles/{article_id}", response_model=ArticleOut)
async def update_article(
    article_id: str, body: ArticleWrite, principal: CurrentPrincipal, context: Context
) -> ArticleOut:
    async def work(uow: UnitOfWork) -> ArticleOut:
        changed = await knowledge.update_article(principal, uow, article_id, _draft(body))
        return ArticleOut.of(changed)

    return await context.db.run(work)


@router.delete("/articles/{article_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_article(article_id: str, principal: CurrentPrincipal, context: Context) -> None:
    async def work(uow: UnitOfWork) -> None:
        await knowledge.delete_article(principal, uow, article_id)

    await context.db.run(work)


@router.get("/organizations/{slug}/articles/{article_id}", response_model=ArticleOut)
async def public_article(slug: str, article_id: str, context: Context) -> ArticleOut:
    """A published article, for anyone (the welcome bot links Customers to it)."""

    async def work(uow: UnitOfWork) -> Article:
        return await knowledge.published_article(uow, slug, article_id)

    return ArticleOut.of(await context.db.read(work))


@pages.get("/kb/{slug}/{article_id}", response_class=HTMLResponse)
async def article_page(slug: str, article_id: str, context: Context) -> HTMLResponse:
    async def work(uow: UnitOfWork) -> Article:
        return await knowledge.published_article(uow, slug, article_id)

    article = await context.db.read(work)
    title = html.escape(article.title)
    page = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{title}</title>"
        "<style>body{font:16px/1.55 system-ui,sans-serif;max-width:42rem;margin:2rem auto;"
        "padding:0 1rem;color:#1d2330}h1{font-size:1.6rem}code{background:#f1f3f7;"
        "padding:0 .2em}</style></head><body>"
        f"<main><h1>{title}</h1>{render_markdown(article.body)}</main></body></html>"
    )
    return HTMLResponse(
        page,
        headers={
            "Content-Security-Policy": "default-src 'none'; "
            "style-src 'unsafe-inline'; img-src https: data:"
        },
    )
