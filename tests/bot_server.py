"""A bot (or integrator's receiver) for tests: a real HTTP server on loopback that
records each request and answers as the test tells it to."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tests.components import free_port

GUARD = 15.0  # against hanging only

Answer = Callable[["Received"], Response | None]


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(self.body)
        return data


@dataclass
class BotServer:
    url: str
    received: list[Received] = field(default_factory=list)
    answers: list[Answer] = field(default_factory=list)  # one per request, then the last
    slow_seconds: float = 0.0  # before answering (a slow bot)

    def answer(self, *answers: Answer) -> None:
        self.answers = list(answers)


def reply(*texts: str, hand_off: bool = False) -> Answer:
    body = json.dumps({"replies": list(texts), "hand_off": hand_off})
    return lambda _: Response(body, media_type="application/json")


def status(code: int) -> Answer:
    return lambda _: Response("no", status_code=code)


def empty() -> Answer:
    return lambda _: Response(status_code=204)


@asynccontextmanager
async def bot_server() -> AsyncIterator[BotServer]:
    port = free_port()
    bot = BotServer(f"http://127.0.0.1:{port}/hook")

    async def hook(request: Request) -> Response:
        got = Received({k.lower(): v for k, v in request.headers.items()}, await request.body())
        bot.received.append(got)
        if bot.slow_seconds:
            await asyncio.sleep(bot.slow_seconds)
        index = min(len(bot.received), len(bot.answers)) - 1
        answer = bot.answers[index](got) if bot.answers else None
        return answer or Response(status_code=204)

    routes = [Route("/hook", hook, methods=["POST"])]
    routes.append(Route("/v1/chat/completions", hook, methods=["POST"]))  # a model's API
    app = Starlette(routes=routes)
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    )
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.01)
    try:
        yield bot
    finally:
        server.should_exit = True
        server.force_exit = True
        await asyncio.wait_for(task, GUARD)
