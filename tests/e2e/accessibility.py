"""axe-core, as shipped by axe-playwright-python, run against a page or a frame:
WCAG 2.0 and 2.1 A and AA and axe's best practices, with zero violations allowed."""

from __future__ import annotations

from typing import Any

from axe_playwright_python.async_playwright import Axe
from playwright.async_api import Frame, Page

TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
# Rules axe still calls experimental, run here too: the mismatch between a
# control's visible text and its name, headings faked with bold paragraphs...
EXPERIMENTAL = [
    "css-orientation-lock",
    "focus-order-semantics",
    "label-content-name-mismatch",
    "p-as-heading",
    "table-fake-caption",
    "td-has-header",
]
OPTIONS: dict[str, Any] = {
    "runOnly": {"type": "tag", "values": TAGS},
    "rules": {rule: {"enabled": True} for rule in EXPERIMENTAL},
    "resultTypes": ["violations"],
    # Frames are checked on their own (the widget's is another origin).
    "iframes": False,
}

_axe = Axe()


async def violations(target: Page | Frame) -> list[dict[str, Any]]:
    results = await _axe.run(target, options=OPTIONS)
    return list(results.response["violations"])


def describe(found: list[dict[str, Any]]) -> str:
    lines = []
    for violation in found:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"]:
            lines.append(f"    {', '.join(map(str, node['target']))}")
            lines.append(f"        {node['html'][:160]}")
            summary = node.get("failureSummary") or ""
            lines.extend(f"        {line}" for line in summary.splitlines()[1:3])
    return "\n".join(lines)


async def assert_accessible(target: Page | Frame) -> None:
    found = await violations(target)
    assert not found, f"axe found {len(found)} kinds of violation:\n{describe(found)}"
