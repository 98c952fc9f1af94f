"""Knowledge search under volume: 10,000 published articles in one organization,
searched the way `#kb` and the welcome bot search (the service, in process, one
query at a time), on each database's own full-text index. The baseline, timed on
the same data in the same run, is a plain LIKE scan for one of the words."""

from __future__ import annotations

import random
import time
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, or_, select

from caseroom.domain.events import Event
from caseroom.domain.ids import new_id
from caseroom.domain.knowledge import Article
from caseroom.services import organizations
from caseroom.services.knowledge import search_knowledge
from caseroom.storage import tables as t
from caseroom.storage.database import create_engine
from caseroom.storage.uow import Database, UnitOfWork

WORDS = [
    "password",
    "reset",
    "account",
    "sign",
    "login",
    "invoice",
    "billing",
    "refund",
    "order",
    "parcel",
    "shipping",
    "delivery",
    "return",
    "exchange",
    "size",
    "warranty",
    "repair",
    "battery",
    "charger",
    "screen",
    "app",
    "update",
    "crash",
    "sync",
    "email",
    "phone",
    "notification",
    "subscription",
    "plan",
    "cancel",
    "upgrade",
    "discount",
    "voucher",
    "address",
    "payment",
    "card",
    "bank",
    "transfer",
    "tracking",
    "carrier",
    "customs",
    "store",
    "pickup",
]
QUERIES = [
    "reset password",
    "refund order",
    "tracking parcel carrier",
    "battery warranty",
    "cancel subscription plan",
    "customs delivery",
    "app crash update",
    "voucher",
]
_BATCH = 500


def _filler(rng: random.Random, count: int) -> list[str]:
    """Made-up words, so that each article has a vocabulary of its own (as real
    articles do) and a topic word matches some of them, not all."""
    syllables = ["ka", "lo", "mi", "ne", "ru", "sa", "ti", "vo", "de", "ba", "po", "gu"]
    return ["".join(rng.choices(syllables, k=3)) for _ in range(count)]


def _article(org_id: str, rng: random.Random, now: datetime, filler: list[str]) -> Article:
    topics = rng.sample(WORDS, k=3)
    title = " ".join([*topics[:2], *rng.choices(filler, k=2)]).capitalize()
    words = rng.choices(filler, k=90) + topics * 2
    rng.shuffle(words)
    body = ". ".join(" ".join(words[i : i + 12]) for i in range(0, len(words), 12))
    return Article(new_id(), org_id, title, body, tuple(topics[2:]), None, True, now, now)


async def _nowhere(_events: list[Event]) -> None:
    return None


async def measure(url: str, articles: int, searches: int) -> dict[str, Any]:
    engine = create_engine(url)
    db = Database(engine, _nowhere)
    org_id = (await db.run(lambda uow: organizations.create_organization(
        uow, f"kb-{new_id()[-8:]}", "Knowledge bench"))).id  # fmt: skip
    rng = random.Random(7)
    filler = _filler(rng, 3000)
    now = datetime.now(UTC)
    for start in range(0, articles, _BATCH):

        async def batch(uow: UnitOfWork, size: int = min(_BATCH, articles - start)) -> None:
            for _ in range(size):
                await uow.knowledge.add(_article(org_id, rng, now, filler))

        await db.run(batch)

    async def search(uow: UnitOfWork, query: str) -> int:
        return len(await search_knowledge(uow, org_id, query, limit=5))

    async def like(uow: UnitOfWork, query: str) -> int:
        word = f"%{query.split()[0]}%"
        k = t.knowledge_articles.c
        where = (k.org_id == org_id, or_(k.title.like(word), k.body.like(word)))
        found = select(func.count()).where(*where)
        return int((await uow.connection.execute(found)).scalar_one())

    result = {"articles": articles}
    for name, work in (("search", search), ("like_scan", like)):
        times = []
        for index in range(searches):
            query = QUERIES[index % len(QUERIES)]
            started = time.perf_counter()
            await db.read(lambda uow, q=query, w=work: w(uow, q))  # type: ignore[misc]
            times.append(time.perf_counter() - started)
        times.sort()
        result[name] = {
            "p50_ms": times[len(times) // 2] * 1000,
            "p99_ms": times[min(len(times) - 1, int(len(times) * 0.99))] * 1000,
        }
    await engine.dispose()
    return result
