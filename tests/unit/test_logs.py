from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import orjson
import pytest
import structlog

from caseroom.config import Settings
from caseroom.logs import configure_logging


@pytest.fixture
def output() -> Iterator[io.StringIO]:
    saved = logging.getLogger().handlers[:], logging.getLogger().level
    stream = io.StringIO()
    configure_logging(Settings(log_format="json", log_level="INFO"), stream)
    yield stream
    logging.getLogger().handlers, level = saved
    logging.getLogger().setLevel(level)
    structlog.reset_defaults()


def test_every_line_of_a_request_is_json_with_its_request_id(
    output: io.StringIO,
) -> None:
    with structlog.contextvars.bound_contextvars(request_id="r-123"):
        structlog.get_logger("caseroom.test").info("structured", issue="i-1")
        logging.getLogger("caseroom.jobs").warning("plain %s", "logging")
    logging.getLogger("caseroom.jobs").info("outside any request")
    lines = [orjson.loads(line) for line in output.getvalue().splitlines()]
    assert [line["event"] for line in lines] == [
        "structured",
        "plain logging",
        "outside any request",
    ]
    assert [line.get("request_id") for line in lines] == ["r-123", "r-123", None]
    assert lines[0]["issue"] == "i-1"
    assert lines[1]["level"] == "warning"
    assert lines[1]["logger"] == "caseroom.jobs"
    assert "timestamp" in lines[0]


def test_debug_lines_are_dropped_at_info(
    output: io.StringIO,
) -> None:
    logging.getLogger("caseroom.x").debug("noise")
    assert output.getvalue() == ""
