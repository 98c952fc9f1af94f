"""What a welcome bot's hand-off tells the agents, and when a Customer asks for a
person. Pure text work on the public room's messages."""

from __future__ import annotations

import re
from collections.abc import Sequence

from caseroom.domain.model import AuthorKind, Message, MessageKind

_PERSON = re.compile(
    r"\b(talk|speak|chat)\s+(to|with)\s+(a\s+)?(person|human|agent|someone|somebody)\b"
    r"|\b(human|real person|an agent|operator)\b\s*(please)?\s*$|^\s*(agent|human|person)\s*$",
    re.IGNORECASE,
)
TALK_TO_A_PERSON = "Talk to a person"
_QUOTE_CHARS = 200


def wants_person(text: str) -> bool:
    """The Customer asks for a person (the button's text, or words like it)."""
    return text.strip().casefold() == TALK_TO_A_PERSON.casefold() or bool(_PERSON.search(text))


def _quote(text: str) -> str:
    lines = text.split("\n")
    if lines and lines[-1].startswith("Choose: "):  # a welcome bot's buttons
        lines = lines[:-1]
    flat = " ".join(" ".join(lines).split())
    return flat if len(flat) <= _QUOTE_CHARS else flat[: _QUOTE_CHARS - 1] + "…"


def handoff_note(bot_name: str, reason: str, public: Sequence[Message]) -> str:
    """The private room's note: why the bot handed off, what the Customer asked,
    what the bot answered."""
    said = [m for m in public if m.kind is MessageKind.MESSAGE and m.body.strip()]
    asked = [_quote(m.body) for m in said if m.author_kind is AuthorKind.CUSTOMER]
    answered = [_quote(m.body) for m in said if m.author_kind is AuthorKind.BOT]
    lines = [f"{bot_name} handed this Issue to a person: {reason}."]
    lines.append("The Customer asked:" if asked else "The Customer asked nothing yet.")
    lines += [f"- {text}" for text in asked[-5:]]
    lines.append("The bot answered:" if answered else "The bot gave no answer.")
    lines += [f"- {text}" for text in answered[-5:]]
    return "\n".join(lines)
