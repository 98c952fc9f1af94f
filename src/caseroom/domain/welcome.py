"""The built-in welcome bot's turns, pure: given what the Customer just wrote and
what the bot knows (topics, matching articles, the team's hours), what it says,
where it routes the Issue, and whether it hands off.

Buttons travel in the message text as its last line, `Choose: A | B | C`, so
every channel and transcript still reads well; the customer pages render that
line as buttons and the console shows it as read-only chips."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from caseroom.domain.errors import InvalidInput
from caseroom.domain.handoff import TALK_TO_A_PERSON

CHOOSE = "Choose: "
THAT_HELPED = "That helped"
TOPICS_MAX = 8
_LABEL_MAX_CHARS = 40


@dataclass(frozen=True, slots=True)
class Topic:
    label: str
    team_id: str | None = None


@dataclass(frozen=True, slots=True)
class Found:
    title: str
    url: str
    excerpt: str


@dataclass(frozen=True, slots=True)
class Situation:
    bot_name: str
    greeting: str
    topics: Sequence[Topic]
    text: str  # what the Customer just wrote
    first_turn: bool  # the bot has not spoken on this Issue yet
    needs_contact: bool  # nobody knows how to reach the Customer
    articles: Sequence[Found]  # best first, for `text` (or the chosen topic)
    team_open: bool
    team_back_at: str


@dataclass(frozen=True, slots=True)
class Turn:
    replies: list[str] = field(default_factory=list)
    team_id: str | None = None  # route the Issue to this team
    hand_off: str | None = None  # the reason, when the bot hands the Customer over


def with_buttons(text: str, labels: Sequence[str]) -> str:
    return f"{text}\n{CHOOSE}{' | '.join(labels)}" if labels else text


def check_topic_label(label: str) -> str:
    label = " ".join(label.split())
    if not label or len(label) > _LABEL_MAX_CHARS or "|" in label:
        raise InvalidInput(
            f"a topic is 1 to {_LABEL_MAX_CHARS} characters, without |", field="topics"
        )
    return label


def chosen_topic(text: str, topics: Sequence[Topic]) -> Topic | None:
    typed = text.strip().casefold()
    return next((t for t in topics if t.label.casefold() == typed), None)


def _article_reply(found: Found) -> str:
    return with_buttons(
        f"This article may answer it: {found.title}\n{found.excerpt}\n{found.url}",
        [THAT_HELPED, TALK_TO_A_PERSON],
    )


def _away(situation: Situation) -> str:
    return (
        f"The team is away right now and back {situation.team_back_at}. "
        "Your request is open, and they will answer here."
    )


def next_turn(situation: Situation) -> Turn:
    replies: list[str] = []
    if situation.first_turn:
        opening = situation.greeting
        if situation.needs_contact:
            opening += " What email address or phone number can the team reach you at?"
        if not situation.team_open:
            opening += " " + _away(situation)
        replies.append(opening)
    if situation.text.strip().casefold() == THAT_HELPED.casefold():
        return Turn([with_buttons("Glad it helped! Write here if you need anything else.",
                                  [TALK_TO_A_PERSON])])  # fmt: skip
    topic = chosen_topic(situation.text, situation.topics)
    team_id = topic.team_id if topic else None
    if situation.articles:
        replies.append(_article_reply(situation.articles[0]))
        return Turn(replies, team_id)
    if situation.first_turn and situation.topics and topic is None:
        labels = [t.label for t in situation.topics[:TOPICS_MAX]] + [TALK_TO_A_PERSON]
        replies.append(with_buttons("What is it about?", labels))
        return Turn(replies, team_id)
    why = f"it has no article about {topic.label}" if topic else "it found no answer"
    closing = "I will connect you with a person."
    if not situation.team_open:
        closing += " " + _away(situation)
    replies.append(f"I could not find an answer to that. {closing}")
    return Turn(replies, team_id, why)
