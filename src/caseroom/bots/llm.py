"""The language-model assist bot's job (`bot.llm`): `#draft` and `#summary` on an
OpenAI-compatible chat-completions endpoint. The prompt holds the conversation
as the calling agent may see it (never another Issue's); the prompt and the
model's answer are both kept in the private room, the draft as a suggestion the
agent may send to the Customer. A timeout, an error or a malformed answer is
said in the private room; nothing is guessed."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx

from caseroom.bots.signed_post import Limits, PostFailed, check_destination
from caseroom.config import Settings
from caseroom.domain.errors import DomainError
from caseroom.domain.model import (
    AgentPrincipal,
    BotGrant,
    BotPrincipal,
    Channel,
    Message,
    MessageKind,
    Room,
)
from caseroom.domain.records import Job
from caseroom.jobs.worker import Complete, Handler
from caseroom.services.bot_calls import say_unavailable
from caseroom.services.common import access_issue
from caseroom.services.llm_bot import model_bot
from caseroom.services.messages import NewMessage
from caseroom.services.sending import Sender
from caseroom.storage.llm import ModelEndpoint
from caseroom.storage.uow import UnitOfWork

SYSTEM = (
    "You help a customer-support agent. You get one support conversation: the public "
    "room (what the Customer and the desk said to each other) and the private room "
    "(what agents said among themselves). Never reveal the private room to the Customer."
)
TASK = {
    "draft": "Write the agent's next reply to the Customer: short, friendly, factual, "
    "in the Customer's language. Only the reply text.",
    "summary": "Summarize the conversation for a colleague in three parts: the request, "
    "what was tried, what is open. Be brief.",
}


async def _nothing(uow: UnitOfWork) -> None:
    return None


def _line(message: Message) -> str:
    return (
        f"[{message.room.value}] {message.author_kind.value} {message.author_name}: {message.body}"
    )


def llm_handler(sender: Sender, settings: Settings) -> Handler:
    limits = Limits(
        settings.webhook_timeout_seconds,
        settings.webhook_max_response_bytes,
        settings.webhook_allow_private_urls,
    )

    async def handle(job: Job) -> Complete:
        org_id, payload = job.org_id, job.payload
        task, issue_id = str(payload["task"]), str(payload["issue_id"])

        async def prepare(uow: UnitOfWork) -> tuple[Any, ModelEndpoint, str] | None:
            found = await model_bot(uow, org_id)
            agent = await uow.agents.get(org_id, str(payload["agent_id"]))
            if found is None or agent is None or not agent.active:
                return None
            try:
                issue = await access_issue(AgentPrincipal(org_id, agent), uow, issue_id)
            except DomainError:
                return None
            lines = []
            for room in Room:  # an agent sees both rooms of this Issue, and only this one
                page = await uow.messages.page(org_id, issue.id, room, _KINDS, limit=_CONTEXT)
                lines += [m for m in page.messages if m.body.strip()]
            lines.sort(key=lambda m: (m.created_at, m.room.value, m.seq))
            conversation = "\n".join(_line(m) for m in lines[-settings.bot_context_messages :])
            prompt = f"Issue {issue.reference}: {issue.subject}\n\n{conversation}\n\n{TASK[task]}"
            return found[0], found[1], prompt

        prepared = await sender.db.read(prepare)
        if prepared is None:
            return _nothing
        bot, endpoint, prompt = prepared
        principal = BotPrincipal(org_id, bot, BotGrant.assist(issue_id))
        key = f"llm:{task}:{payload['message_id']}"
        shown = prompt[: settings.max_message_chars - 200]
        await _post(
            sender, principal, issue_id, f"Prompt to {endpoint.model}:\n{shown}", f"{key}:p"
        )
        try:
            answer = await _complete(endpoint, prompt, limits)
        except PostFailed as failed:
            return _notice(org_id, issue_id, bot, failed.reason)
        body = answer[: settings.max_message_chars]
        sent = await _post(sender, principal, issue_id, body, f"{key}:a")
        if task == "draft" and sent is not None:

            async def keep(uow: UnitOfWork) -> None:
                if await uow.bots.suggestion(org_id, sent) is None:
                    await uow.bots.add_suggestion(org_id, issue_id, sent, body)

            return keep
        return _nothing

    return handle


def _notice(org_id: str, issue_id: str, bot: Any, reason: str) -> Complete:
    async def work(uow: UnitOfWork) -> None:
        issue = await uow.issues.get(org_id, issue_id)
        if issue is not None:
            await say_unavailable(uow, issue, bot, reason)

    return work


_KINDS = frozenset({MessageKind.MESSAGE, MessageKind.NOTE})
_CONTEXT = 200


async def _post(
    sender: Sender, principal: BotPrincipal, issue_id: str, text: str, key: str
) -> str | None:
    new = NewMessage(room=Room.PRIVATE, body=text, channel=Channel.BOT, idempotency_key=key)
    try:
        return (await sender.post(principal, issue_id, new)).message.id
    except DomainError:
        return None


async def _complete(endpoint: ModelEndpoint, prompt: str, limits: Limits) -> str:
    """One chat completion, in the API's documented shape; its text or PostFailed."""
    url = f"{endpoint.url}/chat/completions"
    await check_destination(url, limits)
    body = {
        "model": endpoint.model,
        "messages": [{"role": "system", "content": SYSTEM}, {"role": "user", "content": prompt}],
        "temperature": 0.2,
        "stream": False,
    }
    headers = {"content-type": "application/json"}
    if endpoint.api_key:
        headers["authorization"] = f"Bearer {endpoint.api_key}"
    seconds = limits.timeout_seconds
    try:
        async with (
            asyncio.timeout(seconds),
            httpx.AsyncClient() as client,
            client.stream(
                "POST", url, content=json.dumps(body), headers=headers, timeout=seconds
            ) as response,
        ):
            data = bytearray()
            async for chunk in response.aiter_bytes():
                data.extend(chunk)
                if len(data) > limits.max_response_bytes:
                    raise PostFailed(
                        f"the model's answer is longer than {limits.max_response_bytes} bytes"
                    )
    except (httpx.TimeoutException, TimeoutError):
        raise PostFailed(f"the model gave no answer within {seconds:g} seconds") from None
    except httpx.HTTPError as error:
        raise PostFailed(f"the model could not be reached ({type(error).__name__})") from None
    if response.status_code >= 300:
        raise PostFailed(f"the model's endpoint answered {response.status_code}")
    try:
        content = json.loads(data)["choices"][0]["message"]["content"]
    except (ValueError, KeyError, IndexError, TypeError):
        raise PostFailed("the model's answer is not a chat completion") from None
    if not isinstance(content, str) or not content.strip():
        raise PostFailed("the model's answer is empty")
    return content.strip()
