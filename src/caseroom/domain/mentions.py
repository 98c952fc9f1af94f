"""@mentions in the private room.

Syntax: `@[label]`, where the label is an agent's display name or email address
(case-insensitive). Brackets make the end of a name unambiguous, so names with
spaces or accents need no escaping. A label that names no active agent of the
organization, or names several, is not a mention: it stays plain text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from caseroom.domain.errors import InvalidInput
from caseroom.domain.model import Agent

# Not after a word character (so `x@[y]` in code or an address is not a mention);
# the label has no brackets or line breaks and is at most an email's length.
LABEL_MAX_CHARS = 320
_MENTION = re.compile(rf"(?<!\w)@\[([^\[\]\r\n]{{1,{LABEL_MAX_CHARS}}})\]")


@dataclass(frozen=True, slots=True)
class MentionToken:
    start: int
    end: int
    label: str


def parse_mentions(text: str) -> list[MentionToken]:
    """Every `@[label]` in `text`, in order; labels stripped of surrounding spaces."""
    found = []
    for match in _MENTION.finditer(text):
        label = match.group(1).strip()
        if label:
            found.append(MentionToken(match.start(), match.end(), label))
    return found


def show_mentions(text: str) -> str:
    """`text` as a reader sees it: each `@[label]` as `@label`."""
    return _MENTION.sub(lambda m: "@" + m.group(1).strip(), text)


def _key(value: str) -> str:
    return " ".join(value.casefold().split())


def resolve_mentions(text: str, agents: Iterable[Agent]) -> list[Agent]:
    """The active agents `text` mentions, each once, in order of first mention.
    `agents` is the organization's directory: nobody outside it can be named."""
    active = [a for a in agents if a.active]
    by_email = {_key(a.email): a for a in active}
    by_name: dict[str, list[Agent]] = {}
    for each in active:
        by_name.setdefault(_key(each.name), []).append(each)
    resolved: dict[str, Agent] = {}
    for token in parse_mentions(text):
        key = _key(token.label)
        namesakes = by_name.get(key, [])
        found = by_email.get(key) or (namesakes[0] if len(namesakes) == 1 else None)
        if found is not None:
            resolved.setdefault(found.id, found)
    return list(resolved.values())


def mention_text(agent: Agent, agents: Iterable[Agent]) -> str:
    """What to insert to mention `agent`: the name when no other active agent
    shares it, otherwise the email address (always unique in an organization)."""
    namesakes = [a for a in agents if a.active and _key(a.name) == _key(agent.name)]
    if len(namesakes) <= 1 and "[" not in agent.name and "]" not in agent.name:
        return f"@[{agent.name}]"
    return f"@[{agent.email}]"


def suggest_agents(agents: Sequence[Agent], query: str, limit: int) -> list[Agent]:
    """Active agents matching what was typed after `@`: names starting with it
    first, then a later word of the name, then the email; alphabetical within."""
    typed = _key(query.lstrip("@[").rstrip("]"))
    ranked: list[tuple[int, str, Agent]] = []
    for agent in agents:
        if not agent.active:
            continue
        name = _key(agent.name)
        if name.startswith(typed):
            rank = 0
        elif any(word.startswith(typed) for word in name.split()[1:]):
            rank = 1
        elif agent.email.casefold().startswith(typed):
            rank = 2
        else:
            continue
        ranked.append((rank, name, agent))
    ranked.sort(key=lambda item: (item[0], item[1], item[2].id))
    return [agent for _, _, agent in ranked[:limit]]


# `#nickname` calls a bot in the private room: at the start of the text or after a
# space, a letter then letters, digits, `-` or `_`; what follows on the line are
# its arguments (`#kb reset password`).
NICKNAME_MAX_CHARS = 32
_BOT_CALL = re.compile(rf"(?:^|(?<=\s))#([A-Za-z][A-Za-z0-9_-]{{0,{NICKNAME_MAX_CHARS - 1}}})\b")


@dataclass(frozen=True, slots=True)
class BotCall:
    nickname: str  # lower case
    arguments: str


def parse_bot_invocations(text: str, *, limit: int = 3) -> list[BotCall]:
    """The bots `text` calls, each once, in order, with the rest of their line."""
    calls: dict[str, BotCall] = {}
    for match in _BOT_CALL.finditer(text):
        nickname = match.group(1).lower()
        if nickname in calls:
            continue
        line_end = text.find("\n", match.end())
        rest = text[match.end() : line_end if line_end >= 0 else len(text)]
        calls[nickname] = BotCall(nickname, " ".join(rest.split()))
        if len(calls) >= limit:
            break
    return list(calls.values())


def check_nickname(nickname: str) -> str:
    """A bot's nickname as it is called: lower case, like `billing-helper`."""
    nickname = nickname.strip().lstrip("#").lower()
    if not _BOT_CALL.fullmatch(f"#{nickname}"):
        raise InvalidInput(
            f"a nickname is a letter then up to {NICKNAME_MAX_CHARS - 1} letters, digits, - or _",
            field="nickname",
        )
    return nickname
