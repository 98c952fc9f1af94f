"""`caseroom smtpd`: the inbound SMTP listener as a process of its own, for
scale-out (several can run behind one MX). It is the server's wiring without
HTTP: what it stores reaches agents through the broker (Redis when processes
are several), and its jobs through the shared jobs table."""

from __future__ import annotations

import asyncio
import signal

from caseroom.app import create_app
from caseroom.channels.email.listener import bound_port
from caseroom.config import Settings

DEFAULT_PORT = 2525


async def serve_mail(settings: Settings) -> None:
    if settings.smtp_port is None:
        settings = settings.model_copy(update={"smtp_port": DEFAULT_PORT})
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        server = app.state.smtp
        print(f"caseroom receives mail on {settings.smtp_host}:{bound_port(server)}", flush=True)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        await stop.wait()


def run(settings: Settings) -> int:
    asyncio.run(serve_mail(settings))
    return 0
