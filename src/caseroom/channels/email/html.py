"""HTML mail made safe to show (nh3) and read as text.

Sanitized HTML keeps layout and links but runs nothing: no script, no event
handlers, no `javascript:` or other non-web URLs, no CSS that loads anything.
Remote images would tell the sender the mail was opened, so their address moves
to `data-remote-src` (the console loads it only when an agent asks); `cid:`
images stay, to be mapped to the mail's parts."""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import unescape
from html.parser import HTMLParser

import nh3

TAGS = (nh3.ALLOWED_TAGS | {"font", "tfoot", "address"}) - {"map", "area"}
ATTRIBUTES: dict[str, set[str]] = {
    **{tag: set(attrs) for tag, attrs in nh3.ALLOWED_ATTRIBUTES.items()},
    "*": {"style", "title", "dir", "lang", "align", "valign", "width", "height", "bgcolor"},
    "font": {"color", "face", "size"},
    "table": {"border", "cellpadding", "cellspacing", "summary", "align", "char", "charoff"},
    "img": {"alt", "height", "src", "width", "align", "border"},
    "a": {"href", "hreflang", "name"},
}
URL_SCHEMES = {"http", "https", "mailto", "tel", "cid"}
# CSS that only paints; nothing here can fetch a URL.
STYLE_PROPERTIES = {
    "color", "background-color", "font", "font-family", "font-size", "font-style",
    "font-weight", "text-align", "text-decoration", "text-indent", "text-transform",
    "line-height", "letter-spacing", "white-space", "vertical-align", "direction",
    "margin", "margin-top", "margin-right", "margin-bottom", "margin-left",
    "padding", "padding-top", "padding-right", "padding-bottom", "padding-left",
    "border", "border-top", "border-right", "border-bottom", "border-left",
    "border-color", "border-style", "border-width", "border-collapse", "border-spacing",
    "border-radius", "width", "height", "max-width", "min-width", "max-height",
    "display", "list-style-type", "table-layout", "text-wrap", "word-break", "overflow-wrap",
}  # fmt: skip
_CSS_LOADS = re.compile(r"url\s*\(|expression\s*\(|image-set|@import|\\", re.IGNORECASE)
_IMG_TAG = re.compile(r'<img\b(?:[^>"]|"[^"]*")*>')
_REMOTE_SRC = re.compile(r' src="((?:https?:)?//[^"]*)"', re.IGNORECASE)
_CID_SRC = re.compile(r'src="cid:([^"]*)"', re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class SafeHtml:
    html: str
    remote_images: int  # images whose address was moved to data-remote-src
    cids: tuple[str, ...]  # content ids the HTML shows as cid: images, in order


def _filter_attribute(element: str, attribute: str, value: str) -> str | None:
    if attribute == "style" and _CSS_LOADS.search(value):
        return None
    return value


def sanitize_html(html: str) -> SafeHtml:
    cleaned = nh3.clean(
        html,
        tags=TAGS,
        clean_content_tags={"script", "style", "title", "head", "noscript", "template"},
        attributes=ATTRIBUTES,
        attribute_filter=_filter_attribute,
        url_schemes=URL_SCHEMES,
        filter_style_properties=STYLE_PROPERTIES,
        link_rel="noopener noreferrer nofollow",
    )
    remote = 0

    def block_remote(tag: re.Match[str]) -> str:
        nonlocal remote
        rewritten, count = _REMOTE_SRC.subn(r' data-remote-src="\1"', tag.group(0))
        remote += count
        return rewritten

    cleaned = _IMG_TAG.sub(block_remote, cleaned)
    cids = tuple(dict.fromkeys(unescape(m.group(1)) for m in _CID_SRC.finditer(cleaned)))
    return SafeHtml(cleaned, remote, cids)


# Blocks stand apart by a blank line; line elements just start a new line.
BLOCKS = {
    "p", "table", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "hr",
    "dl", "section", "article", "header", "footer", "address", "center", "figure", "details",
}  # fmt: skip
LINES = {"div", "li", "tr", "dt", "dd", "figcaption", "summary", "caption"}
HIDDEN = {"script", "style", "head", "title", "noscript", "template"}


class _TextRenderer(HTMLParser):
    """Readable plain text: blocks on their own lines, list items as "- ",
    blockquotes as "> " lines (so quoted history folds like a text reply), link
    targets after their text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self.line: list[str] = []
        self.quote = 0
        self.hidden = 0
        self.pre = 0
        self.links: list[str | None] = []

    def end_line(self) -> None:
        text = "".join(self.line)
        text = text if self.pre else re.sub(r"[ \t\r\n\f\u00a0]+", " ", text).strip()
        if text:
            prefix = "> " * self.quote
            self.lines.extend(prefix + part for part in text.split("\n"))
        self.line = []

    def paragraph(self) -> None:
        """End the line and leave one blank line before what follows."""
        self.end_line()
        if self.lines and self.lines[-1] != "":
            self.lines.append("")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in HIDDEN:
            self.hidden += 1
        elif tag == "br":
            if "".join(self.line).strip():
                self.end_line()
            elif self.lines and self.lines[-1] != "":
                self.lines.append("")
        elif tag in LINES:
            self.end_line()
            if tag == "li":
                self.line.append("- ")
        elif tag in BLOCKS:
            self.paragraph()
            if tag == "blockquote":
                self.quote += 1
            elif tag == "pre":
                self.pre += 1
            elif tag == "hr":
                self.lines.extend(["---", ""])
        elif tag == "a":
            self.links.append(dict(attrs).get("href"))
        elif tag == "img":
            alt = (dict(attrs).get("alt") or "").strip()
            if alt:
                self.line.append(f"[{alt}]")
        elif tag in ("td", "th"):
            self.line.append(" ")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in ("br", "hr", "img"):
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in HIDDEN:
            self.hidden = max(0, self.hidden - 1)
        elif tag in LINES:
            self.end_line()
        elif tag in BLOCKS and tag not in ("br", "hr"):
            self.paragraph()
            if tag == "blockquote":
                self.quote = max(0, self.quote - 1)
            elif tag == "pre":
                self.pre = max(0, self.pre - 1)
        elif tag == "a" and self.links:
            href = self.links.pop()
            shown = "".join(self.line)
            if href and href.startswith(("http://", "https://")) and href not in shown:
                self.line.append(f" ({href})")

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.line.append(data)


def html_to_text(html: str) -> str:
    renderer = _TextRenderer()
    renderer.feed(html)
    renderer.close()
    renderer.end_line()
    text = "\n".join(renderer.lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip()
