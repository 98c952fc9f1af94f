"""A transcript as one self-contained HTML page (inline CSS, no scripts, no links
out), readable in a browser and printable; written as its entries come, so a long
room is never held at once."""

from __future__ import annotations

import io
from collections.abc import Iterable
from datetime import datetime
from html import escape
from typing import TextIO

from caseroom.domain.model import MessageKind
from caseroom.domain.transcript import (
    EMPTY_ROOM,
    Audience,
    Transcript,
    TranscriptEntry,
    TranscriptHead,
)

_CSS = """
body { font: 14px/1.45 "DejaVu Sans", Helvetica, Arial, sans-serif; color: #1d232b;
       max-width: 820px; margin: 32px auto; padding: 0 24px; }
header { border-bottom: 2px solid #1d232b; padding-bottom: 12px; margin-bottom: 20px; }
header .org { font-size: 12px; letter-spacing: .04em; color: #5b6673; }
h1 { font-size: 22px; margin: 4px 0 2px; }
header .subject { font-size: 16px; color: #36404b; margin: 0 0 12px; }
dl { display: grid; grid-template-columns: 130px 1fr; gap: 4px 12px; margin: 0; font-size: 13px; }
dt { color: #5b6673; } dd { margin: 0; }
.notice { margin: 12px 0 0; font-size: 12px; color: #5b6673; }
ol { list-style: none; padding: 0; margin: 0; }
li { border-left: 3px solid #c9d1da; padding: 6px 12px; margin: 0 0 10px; }
li.customer { border-left-color: #2f6fb3; } li.agent { border-left-color: #3b8a5a; }
li.bot { border-left-color: #8a5fbf; }
li.note { background: #fff6c7; border-left-color: #d9a600; }
li.event { border-left-color: transparent; color: #5b6673; font-style: italic; padding: 2px 12px; }
.meta { font-size: 12px; color: #5b6673; }
.meta .who { font-weight: bold; color: #1d232b; }
.tag { display: inline-block; font-size: 11px; font-weight: bold; font-style: normal;
       text-transform: uppercase; letter-spacing: .05em; padding: 0 6px; border-radius: 3px;
       background: #e6eaef; color: #36404b; margin-left: 6px; }
li.note .tag { background: #d9a600; color: #fff; }
.body { white-space: pre-wrap; margin-top: 2px; }
.files { font-size: 12px; color: #36404b; margin-top: 4px; }
footer { border-top: 1px solid #c9d1da; margin-top: 24px; padding-top: 8px;
         font-size: 11px; color: #5b6673; }
"""


def _when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S UTC") if value else "not resolved"


def _entry(entry: TranscriptEntry) -> str:
    css = entry.kind.value if entry.kind is not MessageKind.MESSAGE else entry.author_kind.value
    files = ""
    if entry.files:
        names = ", ".join(escape(name) for name in entry.files)
        files = f'<div class="files">Attached: {names}</div>'
    body = f'<div class="body">{escape(entry.body)}</div>' if entry.body else ""
    return (
        f'<li class="{css}"><div class="meta">'
        f'<time datetime="{entry.time.isoformat()}">{_when(entry.time)}</time> · '
        f'<span class="who">{escape(entry.author)}</span> · via {escape(entry.via)}'
        f'<span class="tag">{escape(entry.label)}</span></div>{body}{files}</li>'
    )


def html_start(head: TranscriptHead) -> str:
    """The page up to its first entry."""
    h = head
    if h.audience is Audience.CUSTOMER:
        notice = "Copy for the customer: the conversation as the customer saw it."
    else:
        notice = "Internal record: notes are shown highlighted and are never sent to the customer."
    agents = escape(", ".join(h.agents)) or "none"
    empty = f"<li>{escape(EMPTY_ROOM)}</li>\n" if h.count == 0 else ""
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(h.title)}</title><style>{_CSS}</style></head>
<body><header>
<div class="org">{escape(h.organization)}</div>
<h1>{escape(h.title)}</h1>
<p class="subject">{escape(h.subject)}</p>
<dl>
<dt>Reference</dt><dd>{escape(h.reference)}</dd>
<dt>Customer</dt><dd>{escape(h.customer)}</dd>
<dt>Agents</dt><dd>{agents}</dd>
<dt>Created</dt><dd>{_when(h.created_at)}</dd>
<dt>Resolved</dt><dd>{_when(h.resolved_at)}</dd>
<dt>Messages</dt><dd>{h.count}</dd>
</dl>
<p class="notice">{escape(notice)}</p>
</header>
<ol>
{empty}"""


def html_entries(entries: Iterable[TranscriptEntry]) -> str:
    return "".join(f"{_entry(e)}\n" for e in entries)


def html_end(head: TranscriptHead) -> str:
    version = f"Version {head.version} · " if head.version is not None else ""
    return f"""</ol>
<footer>{version}Generated {_when(head.generated_at)} by caseroom.</footer>
</body></html>
"""


def stream_html(head: TranscriptHead, entries: Iterable[TranscriptEntry], out: TextIO) -> None:
    """The page written to `out` as `entries` come."""
    out.write(html_start(head))
    for entry in entries:
        out.write(html_entries((entry,)))
    out.write(html_end(head))


def render_html(transcript: Transcript) -> bytes:
    out = io.StringIO()
    stream_html(transcript.head, transcript.entries, out)
    return out.getvalue().encode("utf-8")
