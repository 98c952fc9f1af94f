"""The domain model: plain dataclasses and enums, no I/O."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class Role(StrEnum):
    ADMIN = "admin"
    AGENT = "agent"


class IssueStatus(StrEnum):
    UNCLAIMED = "unclaimed"
    CLAIMED = "claimed"
    RESOLVED = "resolved"
    CLOSED = "closed"
    CANCELED = "canceled"


class Room(StrEnum):
    PUBLIC = "public"
    PRIVATE = "private"


class AuthorKind(StrEnum):
    AGENT = "agent"
    CUSTOMER = "customer"
    BOT = "bot"
    SYSTEM = "system"


class MessageKind(StrEnum):
    MESSAGE = "message"
    NOTE = "note"
    EVENT = "event"


class Channel(StrEnum):
    CHAT = "chat"
    SMS = "sms"
    EMAIL = "email"
    VIDEO = "video"
    BOT = "bot"
    SYSTEM = "system"


class Surface(StrEnum):
    """Where the Customer started an Issue: a label for agents, never a permission
    (the chat pages say which of them they are; nothing is granted by it)."""

    WIDGET = "widget"  # the launcher on the organization's site (/widget/{slug})
    EMBED = "embed"  # the chat inside the organization's app (/embed/{slug})
    CONNECT = "connect"  # the full-screen phone page (/connect/{slug})
    SMS = "sms"
    EMAIL = "email"
    API = "api"  # a start through the API that names no page


# The surfaces a chat page may name when it starts a conversation.
CHAT_SURFACES = (Surface.WIDGET, Surface.EMBED, Surface.CONNECT)


def surface_of_channel(channel: Channel) -> Surface:
    """The surface of an Issue a channel opens by itself (a text, a mail)."""
    return {Channel.SMS: Surface.SMS, Channel.EMAIL: Surface.EMAIL}.get(channel, Surface.API)


class Queue(StrEnum):
    UNCLAIMED = "unclaimed"
    MINE = "mine"
    WATCHING = "watching"
    MENTIONS = "mentions"
    # Views over the organization's whole history, by status.
    ALL = "all"
    OPEN = "open"
    RESOLVED = "resolved"
    CLOSED = "closed"


@dataclass(frozen=True, slots=True)
class Organization:
    id: str
    slug: str
    name: str
    max_open_issues_per_agent: int | None = None
    claim_on_reply: bool = True  # an agent's first public reply claims an Unclaimed Issue


@dataclass(frozen=True, slots=True)
class Team:
    id: str
    org_id: str
    name: str
    hours: str | None = None
    timezone: str = "UTC"


@dataclass(frozen=True, slots=True)
class Agent:
    id: str
    org_id: str
    email: str
    name: str
    role: Role
    active: bool = True
    team_ids: tuple[str, ...] = ()
    # The console language the agent chose (None: the browser's).
    locale: str | None = None


@dataclass(frozen=True, slots=True)
class Customer:
    id: str
    org_id: str
    name: str
    email: str | None = None
    phone: str | None = None
    external_id: str | None = None


@dataclass(frozen=True, slots=True)
class GivenContact:
    """Contact details typed into a form by someone nobody verified, where they differ
    from the matched Customer's. Kept on the Issue for agents; never written into
    the Customer, whose stored addresses are where replies go."""

    name: str | None = None
    email: str | None = None
    phone: str | None = None

    def as_dict(self) -> dict[str, str]:
        pairs = (("name", self.name), ("email", self.email), ("phone", self.phone))
        return {key: value for key, value in pairs if value}


@dataclass(frozen=True, slots=True)
class Issue:
    id: str
    org_id: str
    reference: str
    subject: str
    status: IssueStatus
    customer_id: str
    source_channel: Channel
    created_at: datetime
    owner_agent_id: str | None = None
    team_id: str | None = None
    tags: tuple[str, ...] = ()
    watcher_ids: tuple[str, ...] = ()
    claimed_at: datetime | None = None
    resolved_at: datetime | None = None
    public_seq: int = 0
    private_seq: int = 0
    last_message_at: datetime | None = None
    waiting_since: datetime | None = None
    linked_issue_id: str | None = None
    given_contact: GivenContact | None = None  # agents only
    # Where agents' replies go by default: the Customer's last channel and address.
    reply_channel: Channel = Channel.CHAT
    reply_address: str | None = None
    priority: str | None = None  # low | high | urgent; None is normal
    # Where the Customer started it; None for Issues from before it was recorded.
    surface: Surface | None = None

    def last_seq(self, room: Room) -> int:
        return self.public_seq if room is Room.PUBLIC else self.private_seq


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file carried by a message. Who sent it, where and when are the message's;
    the bytes live in the blob store under the organization and `sha256`."""

    id: str
    org_id: str
    issue_id: str
    message_id: str
    room: Room
    message_kind: MessageKind
    filename: str
    content_type: str
    size: int
    sha256: str
    created_at: datetime
    author_kind: AuthorKind
    author_id: str | None
    author_name: str


@dataclass(frozen=True, slots=True)
class Message:
    id: str
    org_id: str
    issue_id: str
    room: Room
    seq: int
    kind: MessageKind
    channel: Channel
    author_kind: AuthorKind
    author_id: str | None
    author_name: str
    body: str
    created_at: datetime
    idempotency_key: str | None = None
    edited_at: datetime | None = None
    deleted_at: datetime | None = None
    redacted_at: datetime | None = None
    change_seq: int | None = None  # the Issue's change number at its last change
    attachments: tuple[Attachment, ...] = ()


@dataclass(frozen=True, slots=True)
class Activity:
    id: str
    org_id: str
    issue_id: str
    actor_kind: AuthorKind
    actor_id: str | None
    action: str
    detail: dict[str, object] = field(default_factory=dict)
    created_at: datetime | None = None


class NotificationKind(StrEnum):
    MENTION = "mention"


@dataclass(frozen=True, slots=True)
class Notification:
    """Something an agent is told about: for now, being mentioned in a private room."""

    id: str
    org_id: str
    agent_id: str
    kind: NotificationKind
    issue_id: str
    message_id: str
    actor_id: str | None
    created_at: datetime
    read_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class CannedResponse:
    """A reply template: the organization's (owner_agent_id None) or one agent's own."""

    id: str
    org_id: str
    owner_agent_id: str | None
    title: str
    shortcut: str | None
    body: str
    tags: tuple[str, ...]
    created_by: str | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class Actor:
    """Who acts, as messages and the activity log name them."""

    kind: AuthorKind
    id: str
    name: str


@dataclass(frozen=True, slots=True)
class AgentPrincipal:
    """A signed-in agent (console session or API token)."""

    org_id: str
    agent: Agent
    client_address: str | None = None  # where the request came from (for the audit log)

    @property
    def is_admin(self) -> bool:
        return self.agent.role is Role.ADMIN

    @property
    def actor(self) -> Actor:
        return Actor(AuthorKind.AGENT, self.agent.id, self.agent.name)


@dataclass(frozen=True, slots=True)
class CustomerPrincipal:
    """A customer holding a customer token: the public rooms of their own Issues.

    `issue_ids` narrows that to the Issues the token was granted (a conversation
    started without a verified identity); None means every Issue of the customer
    (an identity the organization vouched for)."""

    org_id: str
    customer: Customer
    issue_ids: frozenset[str] | None = None
    credential_id: str | None = None

    @property
    def actor(self) -> Actor:
        return Actor(AuthorKind.CUSTOMER, self.customer.id, self.customer.name)


class BotKind(StrEnum):
    WELCOME = "welcome"  # talks with the Customer in the public room until hand-off
    ASSIST = "assist"  # called by an agent with #nickname; answers in the private room
    WEBHOOK = "webhook"  # an integration: reads what its registration grants


@dataclass(frozen=True, slots=True)
class Bot:
    id: str
    org_id: str
    nickname: str
    name: str
    kind: BotKind
    active: bool = True


@dataclass(frozen=True, slots=True)
class BotGrant:
    """What a bot may read and post. `issue_id` narrows it to one Issue (the one
    a welcome bot serves, the one an assist bot was called on); None is every
    Issue of its organization (an integration)."""

    issue_id: str | None
    read_rooms: frozenset[Room]
    read_kinds: frozenset[MessageKind]
    post_rooms: frozenset[Room] = frozenset()

    @classmethod
    def welcome(cls, issue_id: str) -> BotGrant:
        """The public room of the Issue it serves, as the Customer sees it."""
        kinds = frozenset({MessageKind.MESSAGE, MessageKind.EVENT})
        return cls(issue_id, frozenset({Room.PUBLIC}), kinds, frozenset({Room.PUBLIC}))

    @classmethod
    def assist(cls, issue_id: str) -> BotGrant:
        """What the calling agent sees of the Issue; it answers in the private room."""
        return cls(issue_id, frozenset(Room), frozenset(MessageKind), frozenset({Room.PRIVATE}))


@dataclass(frozen=True, slots=True)
class BotPrincipal:
    """A bot acting under a grant: a built-in or registered bot reacting to an
    Issue, or an integration calling the API with its bot token."""

    org_id: str
    bot: Bot
    grant: BotGrant

    @property
    def actor(self) -> Actor:
        return Actor(AuthorKind.BOT, self.bot.id, self.bot.name)


Principal = AgentPrincipal | CustomerPrincipal | BotPrincipal


@dataclass(frozen=True, slots=True)
class ConversationStart:
    """A conversation started without an account, under the client's idempotency
    key. `secret_sha256` is the hash of the retry secret the client bound to the
    key; without one, the start can never be answered again."""

    org_id: str
    idempotency_key: str
    secret_sha256: str | None
    customer_id: str
    issue_id: str
    message_id: str
    created_at: datetime
