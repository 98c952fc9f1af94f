"""HTML mail shown safely: nothing runs, nothing loads until an agent asks."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from caseroom.channels.email.html import html_to_text, sanitize_html


@pytest.mark.parametrize(
    "attack",
    [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "<body onload=alert(1)>",
        '<a href="javascript:alert(1)">x</a>',
        '<a href="  JaVaScRiPt:alert(1)">x</a>',
        '<a href="data:text/html,<script>alert(1)</script>">x</a>',
        '<iframe src="https://evil.example"></iframe>',
        '<object data="x.swf"></object><embed src="x.swf">',
        '<form action="https://evil.example"><input name=p></form>',
        '<svg onload="alert(1)"><script>alert(1)</script></svg>',
        "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
        '<meta http-equiv="refresh" content="0;url=https://evil.example">',
        '<link rel=stylesheet href="https://evil.example/x.css">',
        '<base href="https://evil.example/">',
        "<style>@import 'https://evil.example/x.css';</style>",
        '<p style="background-image: url(https://evil.example/t.gif)">x</p>',
        '<div style="width: expression(alert(1))">x</div>',
        '<td background="https://evil.example/bg.gif">x</td>',
        '<img srcset="https://evil.example/a.png 2x">',
    ],
)
def test_nothing_runs_and_nothing_loads(attack: str) -> None:
    safe = sanitize_html(f"<div>before {attack} after</div>").html.lower()
    for bad in ("<script", "onerror", "onload", "javascript:", "<iframe", "<object", "<embed",
                "<form", "<meta", "<link", "<base", "@import", "url(", "expression(",
                "srcset", "background=", "data:text"):  # fmt: skip
        assert bad not in safe, (attack, safe)
    assert not re.search(r'\ssrc="(?:https?:)?//', safe)


def test_remote_images_wait_for_an_agent_and_cid_images_stay() -> None:
    safe = sanitize_html(
        '<p>Hi</p><img src="https://t.example/o.gif" alt="a>b" width=1>'
        '<img src="//cdn.example/logo.png"><img src="cid:logo@x"><img src="cid:logo@x">'
    )
    assert safe.remote_images == 2
    assert 'data-remote-src="https://t.example/o.gif"' in safe.html
    assert 'data-remote-src="//cdn.example/logo.png"' in safe.html
    assert 'src="cid:logo@x"' in safe.html
    assert safe.cids == ("logo@x",)


def test_layout_and_links_survive() -> None:
    safe = sanitize_html(
        '<table border=0 cellpadding=2><tr><td style="color: red; font-weight: bold">cell</td>'
        '</tr></table><a href="https://example.com/help">help</a> '
        '<a href="mailto:a@b.example">m</a>'
        '<font color="#333">old</font>'
    ).html
    assert "<table" in safe and "<td" in safe
    assert 'style="color:red;font-weight:bold"' in safe.replace(" ", "")
    assert 'href="https://example.com/help"' in safe
    assert 'rel="noopener noreferrer nofollow"' in safe
    assert 'href="mailto:a@b.example"' in safe
    assert '<font color="#333">' in safe


def test_text_rendering() -> None:
    html = (
        "<h1>Title</h1><p>One&amp;two<br>three</p><div>a</div><div>b</div>"
        "<ol><li>first</li><li>second</li></ol><pre>  keep\n  spacing</pre><hr>"
        "<blockquote><p>quoted</p><blockquote>deeper</blockquote></blockquote>"
        '<p><img alt="logo" src="cid:x"> <a href="https://e.example/x">https://e.example/x</a></p>'
    )
    assert html_to_text(html) == (
        "Title\n\nOne&two\nthree\n\na\nb\n\n- first\n- second\n\n  keep\n  spacing\n\n---\n\n"
        "> quoted\n\n> > deeper\n\n[logo] https://e.example/x"
    )


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "<script>",
                "</script>",
                "<img src=",
                "onerror=",
                "javascript:",
                '"',
                "'",
                "<",
                ">",
                "<a href=",
                "<svg>",
                "<!--",
                "-->",
                "<style>",
                "url(",
                " ",
                "x",
                "&#106;",
                "<p style='",
                "<iframe>",
                "=",
                "http://t.example/p.gif",
                "cid:a",
            ]
        )
        | st.text(max_size=5),
        max_size=60,
    )
)
def test_sanitized_html_never_runs_anything(pieces: list[str]) -> None:
    safe = sanitize_html("".join(pieces))
    tags = Tags()
    tags.feed(safe.html)
    tags.close()
    for tag, attrs in tags.seen:
        assert tag not in ("script", "iframe", "svg", "style", "object", "embed"), safe.html
        for name, value in attrs:
            assert not name.startswith("on"), safe.html
            if name in ("href", "src"):
                assert not (value or "").strip().lower().startswith("javascript:"), safe.html
            if name == "src":  # links may lead out; nothing loads from outside by itself
                assert not re.match(r"(?:https?:)?//", value or "", re.IGNORECASE), safe.html
    html_to_text(safe.html)  # and its text renders


class Tags(HTMLParser):
    """Every start tag with its attributes, as a browser's tokenizer reads them."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.seen.append((tag, attrs))
