"""The web pages caseroom serves itself: static HTML shells whose scripts talk to
the public API and the event stream."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse

from caseroom.web.page_headers import SHELL_HEADERS

STATIC = Path(__file__).parent / "static"

router = APIRouter(include_in_schema=False)


@router.get("/console")
async def console() -> FileResponse:
    """The agent console (a single page; its views live in the URL fragment)."""
    return FileResponse(STATIC / "console" / "index.html", headers=SHELL_HEADERS)
