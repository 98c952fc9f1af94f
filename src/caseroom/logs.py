"""Process-wide logging: structlog renders every line, ours and the libraries'
(uvicorn, alembic, the standard `logging` calls), as one JSON object with the
request id bound by the web layer's RequestObserver."""

from __future__ import annotations

import logging
import sys
from typing import Any, TextIO

import orjson
import structlog

from caseroom.config import Settings


def _dumps(event: Any, **_: Any) -> str:
    return orjson.dumps(event, default=str).decode()


def configure_logging(settings: Settings, stream: TextIO | None = None) -> None:
    """Lines go to `stream` (standard output by default, where containers expect them)."""
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    renderer: Any = (
        structlog.processors.JSONRenderer(serializer=_dumps)
        if settings.log_format == "json"
        else structlog.dev.ConsoleRenderer(colors=False)
    )
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=[*shared, structlog.stdlib.ExtraAdder()],
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info,
            renderer,
        ],
    )
    # A line is rendered from its event alone, never from where it was logged
    # or by which thread: the logging HOWTO's optimizations skip collecting
    # those (walking the stack for the caller is half of an access line's cost).
    logging._srcfile = None
    logging.logThreads = False
    logging.logProcesses = False
    logging.logMultiprocessing = False
    handler = logging.StreamHandler(stream or sys.stdout)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(settings.log_level.upper())
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logging.getLogger(name).handlers = []
        logging.getLogger(name).propagate = True
    # Alembic announces each of its plugins at INFO whenever it loads.
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
    # fpdf2 subsets fonts with fontTools, which reports every table it prunes at INFO.
    logging.getLogger("fontTools").setLevel(logging.WARNING)
    # The SMS provider's SDK writes every request and its headers at INFO.
    logging.getLogger("twilio").setLevel(logging.WARNING)
    # aiosmtpd logs every SMTP command of every session at INFO.
    logging.getLogger("mail.log").setLevel(logging.WARNING)
    # The access line comes from RequestObserver, with the route and request id.
    logging.getLogger("uvicorn.access").disabled = True
