"""Canned-response templates: `{{variable}}` placeholders with an optional fallback.

`{{customer.first_name|there}}` becomes the Customer's first name, or "there"
when it is unknown. Everything between `{{` and `}}` must be a known variable
(optionally with a fallback): a template is checked when it is saved, so a typo
is refused then, naming the variable, rather than sent to a Customer.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from caseroom.domain.errors import InvalidInput
from caseroom.domain.model import Agent, Customer, Issue, Organization

VARIABLES = (
    "customer.first_name",
    "customer.name",
    "agent.first_name",
    "agent.name",
    "issue.reference",
    "organization.name",
)

_PLACEHOLDER = re.compile(r"\{\{(.*?)\}\}", re.DOTALL)
_INNER = re.compile(r"\s*([A-Za-z_][\w.]*)\s*(?:\|([^{}\r\n]*))?")


@dataclass(frozen=True, slots=True)
class Placeholder:
    variable: str
    fallback: str | None


Segment = str | Placeholder


def parse_template(body: str) -> list[Segment]:
    """Split `body` into literal text and placeholders; InvalidInput (naming the
    variable) for an unknown variable or a malformed placeholder."""
    segments: list[Segment] = []
    position = 0
    for match in _PLACEHOLDER.finditer(body):
        if match.start() > position:
            segments.append(body[position : match.start()])
        segments.append(_placeholder(match.group(1)))
        position = match.end()
    if position < len(body):
        segments.append(body[position:])
    return segments


def _placeholder(inner: str) -> Placeholder:
    parsed = _INNER.fullmatch(inner)
    if parsed is None:
        shown = inner.strip()[:60]
        raise InvalidInput(
            f"malformed placeholder {{{{{shown}}}}}: use {{{{variable}}}} or "
            f"{{{{variable|fallback}}}}",
            field="body",
            placeholder=shown,
        )
    name = parsed.group(1)
    if name not in VARIABLES:
        raise InvalidInput(
            f"unknown variable {name!r} (known: {', '.join(VARIABLES)})",
            field="body",
            variable=name,
            known=list(VARIABLES),
        )
    fallback = parsed.group(2)
    return Placeholder(name, fallback.strip() if fallback is not None else None)


def render_template(body: str, values: Mapping[str, str | None]) -> str:
    """Fill the placeholders; an empty or missing value takes the fallback (or "")."""
    out = []
    for segment in parse_template(body):
        if isinstance(segment, str):
            out.append(segment)
        else:
            value = (values.get(segment.variable) or "").strip()
            out.append(value or segment.fallback or "")
    return "".join(out)


def first_name(name: str | None) -> str | None:
    words = (name or "").split()
    return words[0] if words else None


def template_values(
    *, customer: Customer, agent: Agent, issue: Issue, organization: Organization
) -> dict[str, str | None]:
    """The variables' values for one Issue and the agent about to send."""
    return {
        "customer.first_name": first_name(customer.name),
        "customer.name": customer.name,
        "agent.first_name": first_name(agent.name),
        "agent.name": agent.name,
        "issue.reference": issue.reference,
        "organization.name": organization.name,
    }
