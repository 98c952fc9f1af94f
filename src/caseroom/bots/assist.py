"""The built-in Agent Assist bots, run as the `bot.call` job: `#summary`,
`#history`, `#kb <words>` and `#canned <words>`. Each reads the Issue as the
calling agent may, and answers in the private room as itself (through the one
send path, idempotent by the calling message); `#kb` and `#canned` answers are
suggestions an agent may send on to the Customer."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from caseroom.domain.errors import DomainError
from caseroom.domain.model import (
    AgentPrincipal,
    AuthorKind,
    BotGrant,
    BotPrincipal,
    Channel,
    Issue,
    MessageKind,
    Room,
)
from caseroom.domain.records import Job
from caseroom.domain.summary import overlap_rank, summarize
from caseroom.domain.templates import render_template, template_values
from caseroom.jobs.worker import Complete, Handler
from caseroom.services.bots import built_in_bot
from caseroom.services.common import access_issue
from caseroom.services.knowledge import search_knowledge
from caseroom.services.messages import NewMessage
from caseroom.services.sending import Sender
from caseroom.storage.uow import UnitOfWork

SUGGESTIONS_MAX = 3
_ROOM_MAX = 500


@dataclass(frozen=True, slots=True)
class Reply:
    text: str
    suggestion: str | None = None  # what "send to Customer" would post


async def _nothing(uow: UnitOfWork) -> None:
    return None


def assist_handler(sender: Sender, public_url: str) -> Handler:
    async def handle(job: Job) -> Complete:
        payload, org_id = job.payload, job.org_id
        nickname, issue_id = str(payload["nickname"]), str(payload["issue_id"])

        async def compose(uow: UnitOfWork) -> list[Reply]:
            agent = await uow.agents.get(org_id, str(payload["agent_id"]))
            if agent is None or not agent.active:
                return []
            caller = AgentPrincipal(org_id, agent)
            try:
                issue = await access_issue(caller, uow, issue_id)
            except DomainError:
                return []
            return await ANSWERS[nickname](
                uow, caller, issue, str(payload["arguments"]), public_url
            )

        replies = await sender.db.read(compose)
        principal = BotPrincipal(org_id, built_in_bot(org_id, nickname), BotGrant.assist(issue_id))
        for index, reply in enumerate(replies):
            new = NewMessage(
                room=Room.PRIVATE,
                body=reply.text,
                channel=Channel.BOT,
                idempotency_key=f"bot:{nickname}:{payload['message_id']}:{index}",
            )
            await sender.post(principal, issue_id, new, also=_keep_suggestion(reply))
        return _nothing

    return handle


def _keep_suggestion(reply: Reply) -> Any:
    async def keep(uow: UnitOfWork, sent: Any) -> None:
        message = sent.message
        if reply.suggestion is None or await uow.bots.suggestion(message.org_id, message.id):
            return
        await uow.bots.add_suggestion(
            message.org_id, message.issue_id, message.id, reply.suggestion
        )

    return keep


async def _public(uow: UnitOfWork, issue: Issue) -> list[Any]:
    kinds = frozenset({MessageKind.MESSAGE})
    page = await uow.messages.page(issue.org_id, issue.id, Room.PUBLIC, kinds, limit=_ROOM_MAX)
    return page.messages


async def _latest_from_customer(uow: UnitOfWork, issue: Issue) -> str:
    said = [m for m in await _public(uow, issue) if m.author_kind is AuthorKind.CUSTOMER]
    return said[-1].body if said else issue.subject


async def answer_summary(
    uow: UnitOfWork, caller: AgentPrincipal, issue: Issue, arguments: str, public_url: str
) -> list[Reply]:
    return [Reply(summarize(await _public(uow, issue)).as_text())]


async def answer_history(
    uow: UnitOfWork, caller: AgentPrincipal, issue: Issue, arguments: str, public_url: str
) -> list[Reply]:
    customer = await uow.customers.get(issue.org_id, issue.customer_id)
    earlier = [
        i
        for i in await uow.issues.for_customer(issue.org_id, issue.customer_id, None, 20)
        if i.id != issue.id
    ]
    name = customer.name if customer else "The Customer"
    if not earlier:
        return [Reply(f"{name} has no earlier Issues.")]
    lines = [f"{name}'s earlier Issues ({len(earlier)}, newest first):"]
    for each in earlier:
        outcome = each.status.value
        if each.resolved_at is not None:
            outcome += f" on {each.resolved_at:%Y-%m-%d}"
        lines.append(
            f"- {each.reference} · {each.subject} · opened {each.created_at:%Y-%m-%d} · {outcome}"
        )
    return [Reply("\n".join(lines))]


async def answer_kb(
    uow: UnitOfWork, caller: AgentPrincipal, issue: Issue, arguments: str, public_url: str
) -> list[Reply]:
    query = arguments or await _latest_from_customer(uow, issue)
    hits = await search_knowledge(uow, issue.org_id, query, limit=SUGGESTIONS_MAX)
    org = await uow.organizations.get(issue.org_id)
    if not hits or org is None:
        return [Reply(f"No published article matches “{query[:80]}”.")]
    replies = []
    for rank, hit in enumerate(hits, start=1):
        link = f"{public_url}/kb/{org.slug}/{hit.article.id}"
        text = f"Article {rank} of {len(hits)}: {hit.article.title}\n{hit.excerpt}\n{link}"
        replies.append(Reply(text, f"This article may help: {hit.article.title}\n{link}"))
    return replies


async def answer_canned(
    uow: UnitOfWork, caller: AgentPrincipal, issue: Issue, arguments: str, public_url: str
) -> list[Reply]:
    query = arguments or await _latest_from_customer(uow, issue)
    ranked = []
    for canned in await uow.canned.visible_to(issue.org_id, caller.agent.id):
        fields = [(canned.title, 3.0), (" ".join(canned.tags), 2.0), (canned.body, 1.0)]
        fields.append((canned.shortcut or "", 3.0))
        score = overlap_rank(query, fields)
        if score > 0:
            ranked.append((-score, canned.title.casefold(), canned.id, canned))
    ranked.sort(key=lambda item: item[:3])
    customer = await uow.customers.get(issue.org_id, issue.customer_id)
    org = await uow.organizations.get(issue.org_id)
    if not ranked or customer is None or org is None:
        return [Reply(f"No canned response matches “{query[:80]}”.")]
    values = template_values(customer=customer, agent=caller.agent, issue=issue, organization=org)
    replies = []
    for _, _, _, canned in ranked[:SUGGESTIONS_MAX]:
        filled = render_template(canned.body, values)
        replies.append(Reply(f"Canned response: {canned.title}\n{filled}", filled))
    return replies


ANSWERS = {
    "summary": answer_summary,
    "history": answer_history,
    "kb": answer_kb,
    "canned": answer_canned,
}
