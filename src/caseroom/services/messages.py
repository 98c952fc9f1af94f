"""Use cases on room messages: send (idempotent, gapless, with files), read pages, typing."""

from __future__ import annotations

import dataclasses
import hashlib
from dataclasses import dataclass
from datetime import datetime

from caseroom.domain import events
from caseroom.domain.channels import OUTBOUND
from caseroom.domain.errors import Conflict, Forbidden, InvalidInput, NotFound
from caseroom.domain.files import StoredFile
from caseroom.domain.ids import new_id
from caseroom.domain.model import (
    AgentPrincipal,
    Attachment,
    AuthorKind,
    BotKind,
    BotPrincipal,
    Channel,
    CustomerPrincipal,
    Issue,
    IssueStatus,
    Message,
    MessageKind,
    Principal,
    Room,
)
from caseroom.domain.records import Page, Waiting
from caseroom.domain.status import Action, customer_message_outcome
from caseroom.domain.text import clean_text
from caseroom.domain.visibility import can_post, can_see_issue, can_see_room, visible_kinds
from caseroom.services import mail
from caseroom.services.common import access_issue, actor_of, utcnow
from caseroom.services.deliveries import check_reply_channel
from caseroom.services.issues import add_watcher, apply_transition, open_issue
from caseroom.services.mail import EmailFields
from caseroom.services.notifications import do_notify_mentions
from caseroom.storage.uow import UnitOfWork


@dataclass(frozen=True, slots=True)
class NewMessage:
    room: Room
    body: str
    kind: MessageKind = MessageKind.MESSAGE
    # The channel it came or goes through. None for an agent's reply: the one the
    # Customer last wrote through, if it can carry it, else chat.
    channel: Channel | None = Channel.CHAT
    idempotency_key: str | None = None
    files: tuple[StoredFile, ...] = ()  # already durable in the blob store
    reply_address: str | None = None  # the address an inbound message came from
    email: EmailFields | None = None  # an agent's subject, To/Cc (private-room email)


@dataclass(frozen=True, slots=True)
class Sent:
    message: Message
    created: bool  # False when an idempotent retry returned the original


def sender_key(principal: Principal) -> str:
    """The namespace a sender's idempotency keys live in. A customer token that
    grants only some Issues (an unverified start) has its own: others holding a
    token for the same Customer (anyone who typed that email) must never reach
    its sends by guessing or reading a key."""
    if isinstance(principal, CustomerPrincipal) and principal.issue_ids is not None:
        if principal.credential_id:
            return f"token:{principal.credential_id}"
        grants = ",".join(sorted(principal.issue_ids))
        return f"grant:{hashlib.sha256(grants.encode()).hexdigest()[:40]}"
    kind, actor_id, _ = actor_of(principal)
    return f"{kind.value}:{actor_id}"


async def send_message(
    principal: Principal,
    uow: UnitOfWork,
    issue_id: str,
    new: NewMessage,
    *,
    max_chars: int,
) -> Sent:
    # A message that carries files may have no text.
    body = ""
    if new.body.strip() or not new.files:
        body = clean_text(new.body, field="body", max_chars=max_chars)
    locked: Issue | None = None
    if new.idempotency_key:
        locked, original = await _lock_and_find_original(
            principal, uow, issue_id, new.idempotency_key
        )
        if original is not None:
            await access_issue(principal, uow, original.issue_id)
            return Sent(_check_same_request(principal, original, issue_id, new, body), False)
    if new.email is not None:
        new = dataclasses.replace(new, email=mail.clean_fields(new.email))
    if locked is None:
        issue = await access_issue(principal, uow, issue_id, for_update=True)
    elif can_see_issue(principal, locked):
        issue = locked
    else:
        raise NotFound("no such Issue")
    check_can_post(principal, issue, new.room, new.kind)
    if isinstance(principal, BotPrincipal):
        await _check_bot_turn(principal, uow, issue)
    channel = await _channel_for(principal, uow, issue, new)
    now = utcnow()
    if isinstance(principal, CustomerPrincipal):
        issue = await _ready_for_customer(principal, uow, issue, now)
        issue = await _remember_reply_channel(uow, issue, channel, new.reply_address)
    elif isinstance(principal, AgentPrincipal):
        issue = await _claim_on_reply(principal, uow, issue, new, now)
    kind, author_id, author_name = actor_of(principal)
    message = await append_message(
        uow,
        issue,
        dataclasses.replace(new, body=body, channel=channel),
        author_kind=kind,
        author_id=author_id,
        author_name=author_name,
        sender=sender_key(principal),
        now=now,
    )
    if channel is Channel.EMAIL and not isinstance(principal, CustomerPrincipal):
        await mail.remember_outgoing(uow, issue, message, new.email or EmailFields())
    if isinstance(principal, AgentPrincipal):
        await do_notify_mentions(uow, principal, issue, message)
    return Sent(message, True)


async def _lock_and_find_original(
    principal: Principal, uow: UnitOfWork, issue_id: str, key: str
) -> tuple[Issue | None, Message | None]:
    """The Issue (locked, not yet checked for visibility) and the message this
    sender already stored under the send's idempotency key. One statement when
    the key is new, which is nearly always."""
    sender = sender_key(principal)
    found = await uow.issues.get_for_send(principal.org_id, issue_id, sender, key)
    if found is None:  # no such Issue; the key may still name a message elsewhere
        return None, await uow.messages.by_idempotency_key(principal.org_id, sender, key)
    issue, original_id = found
    original = await uow.messages.get(principal.org_id, original_id) if original_id else None
    return issue, original


async def _channel_for(
    principal: Principal, uow: UnitOfWork, issue: Issue, new: NewMessage
) -> Channel:
    """The channel the message goes through: an agent's or bot's public reply may
    leave by email or SMS (refused with the reason when it cannot reach the
    Customer there); notes and private messages never leave the desk."""
    speaks_for_desk = not isinstance(principal, CustomerPrincipal)
    if not speaks_for_desk and new.channel not in (None, Channel.CHAT) and not new.reply_address:
        # Only a channel adapter, which proved the address, says a Customer wrote
        # by email or SMS.
        raise InvalidInput("a Customer writes here through chat", field="channel")
    public_reply = speaks_for_desk and new.room is Room.PUBLIC and new.kind is MessageKind.MESSAGE
    if new.channel is None:
        if public_reply and issue.reply_channel in OUTBOUND:
            try:
                await check_reply_channel(uow, issue, issue.reply_channel)
            except InvalidInput:
                return Channel.CHAT
            return issue.reply_channel
        return Channel.CHAT
    colleague_text = new.room is Room.PRIVATE and new.kind is MessageKind.MESSAGE
    if speaks_for_desk and colleague_text and new.channel is Channel.SMS and new.reply_address:
        # A text between colleagues (services/sms_colleagues.py proved the number
        # is a colleague's); nothing in the private room ever reaches a Customer.
        return new.channel
    private_email = (
        speaks_for_desk
        and new.room is Room.PRIVATE
        and new.kind is MessageKind.MESSAGE
        and new.channel is Channel.EMAIL
    )
    if private_email:
        await mail.check_private_recipients(uow, issue, new.email or EmailFields())
        return Channel.EMAIL
    if speaks_for_desk and new.channel in OUTBOUND:
        if not public_reply:
            raise InvalidInput(
                f"only a public message can go out by {new.channel.value}; "
                "notes and private messages stay with the agents",
                field="channel",
            )
        await check_reply_channel(uow, issue, new.channel)
    return new.channel


async def _remember_reply_channel(
    uow: UnitOfWork, issue: Issue, channel: Channel, address: str | None
) -> Issue:
    """The Customer wrote through `channel`: agents' replies go there from now on."""
    if channel not in (Channel.CHAT, *OUTBOUND):
        return issue
    if channel is issue.reply_channel and address == issue.reply_address:
        return issue
    await uow.issues.set_reply(issue.org_id, issue.id, channel, address)
    return dataclasses.replace(issue, reply_channel=channel, reply_address=address)


async def _check_bot_turn(principal: BotPrincipal, uow: UnitOfWork, issue: Issue) -> None:
    """A welcome bot speaks on an Issue only until it hands the Customer to a person
    (an agent's claim included)."""
    if principal.bot.kind is BotKind.WELCOME:
        session = await uow.bots.session(issue.org_id, issue.id)
        if session is None or session != (principal.bot.id, "active"):
            raise Forbidden("the bot has handed this Issue to a person")


def check_can_post(principal: Principal, issue: Issue, room: Room, kind: MessageKind) -> None:
    if not can_post(principal, issue, room, kind):
        if not can_see_room(principal, issue, room):
            raise NotFound("no such room")
        raise Forbidden(f"you may not post a {kind.value} in the {room.value} room")


async def check_may_send(
    principal: Principal, uow: UnitOfWork, issue_id: str, room: Room, kind: MessageKind
) -> None:
    """Whether `principal` may post to the room at all: asked before an upload is
    read, so a refused sender stores nothing."""
    check_can_post(principal, await access_issue(principal, uow, issue_id), room, kind)


def _check_same_request(
    principal: Principal, original: Message, issue_id: str, new: NewMessage, body: str
) -> Message:
    """A retry must repeat the original request; reusing a key for something else
    is a client bug worth a clear error rather than a silent mismatch. A customer's
    original may sit in the new Issue that followed a closed one."""
    same = original.room is new.room and original.kind is new.kind and original.body == body
    if original.issue_id != issue_id and not isinstance(principal, CustomerPrincipal):
        same = False
    if not same:
        raise Conflict(
            "this idempotency key was already used for a different message",
            field="idempotency_key",
        )
    return original


async def _ready_for_customer(
    principal: CustomerPrincipal, uow: UnitOfWork, issue: Issue, now: datetime
) -> Issue:
    """A Customer writing to a resolved Issue reopens it; to a closed or canceled
    one, starts a new Issue linked to it."""
    outcome = customer_message_outcome(issue.status)
    if outcome == "reopen":
        reopened = await apply_transition(uow, principal, issue, Action.REOPEN, now=now)
        # The wait starts with this message, not with one before the resolution.
        return dataclasses.replace(reopened, waiting_since=None)
    if outcome == "new":
        successor = await open_issue(
            uow,
            principal.customer,
            subject=issue.subject,
            channel=issue.source_channel,
            team_id=issue.team_id,
            linked_issue_id=issue.id,
            now=now,
            surface=issue.surface,
        )
        if principal.credential_id and principal.issue_ids is not None:
            await uow.credentials.grant_issue(issue.org_id, principal.credential_id, successor.id)
        return successor
    return issue


async def _claim_on_reply(
    principal: AgentPrincipal, uow: UnitOfWork, issue: Issue, new: NewMessage, now: datetime
) -> Issue:
    """An agent's first public reply to an Unclaimed Issue claims it for them, unless
    the organization turned that off (or the agent is at their limit)."""
    reply = new.room is Room.PUBLIC and new.kind is MessageKind.MESSAGE
    if not reply or issue.status is not IssueStatus.UNCLAIMED:
        return issue
    org = await uow.organizations.get(issue.org_id)
    if org is None or not org.claim_on_reply:
        return issue
    agent_id = principal.agent.id
    cap = org.max_open_issues_per_agent
    if cap is not None and await uow.issues.count_open_owned(org.id, agent_id) >= cap:
        return issue
    claimed = await apply_transition(
        uow, principal, issue, Action.CLAIM, now=now, owner_agent_id=agent_id
    )
    return await add_watcher(uow, principal, claimed, agent_id, now)


async def append_message(
    uow: UnitOfWork,
    issue: Issue,
    new: NewMessage,
    *,
    author_kind: AuthorKind,
    author_id: str | None,
    author_name: str,
    sender: str | None,
    now: datetime,
) -> Message:
    """Store one message with the room's next sequence number and announce it.
    Every writer (people, bots, channels, the system) goes through here."""
    waiting = Waiting.KEEP
    if new.room is Room.PUBLIC and new.kind is MessageKind.MESSAGE:
        if author_kind is AuthorKind.CUSTOMER and issue.waiting_since is None:
            waiting = Waiting.START
        elif author_kind is AuthorKind.AGENT and issue.waiting_since is not None:
            waiting = Waiting.CLEAR
    seq = await uow.messages.take_seq(issue.org_id, issue.id, new.room, now, waiting)
    message = Message(
        id=new_id(),
        org_id=issue.org_id,
        issue_id=issue.id,
        room=new.room,
        seq=seq,
        kind=new.kind,
        channel=new.channel or Channel.CHAT,
        author_kind=author_kind,
        author_id=author_id,
        author_name=author_name,
        body=new.body,
        created_at=now,
        idempotency_key=new.idempotency_key,
    )
    await uow.messages.add(message, sender)
    if new.files:
        message = await _attach(uow, message, new.files)
    uow.emit(events.message_created(issue, message))
    if new.room is Room.PUBLIC:
        # Every public message moves the Issue's card in the inbox (its preview, its
        # place by last activity); the private room's stay unannounced to Customers.
        changes = ["last_message_at", "last_seq"]
        updated = dataclasses.replace(issue, public_seq=seq, last_message_at=now)
        if waiting is not Waiting.KEEP:
            updated = dataclasses.replace(
                updated, waiting_since=now if waiting is Waiting.START else None
            )
            changes.append("waiting_since")
        uow.emit(events.issue_changed("issue.updated", updated, changes))
    return message


async def _attach(uow: UnitOfWork, message: Message, files: tuple[StoredFile, ...]) -> Message:
    attachments = tuple(
        Attachment(
            id=new_id(),
            org_id=message.org_id,
            issue_id=message.issue_id,
            message_id=message.id,
            room=message.room,
            message_kind=message.kind,
            filename=f.filename,
            content_type=f.content_type,
            size=f.size,
            sha256=f.sha256,
            created_at=message.created_at,
            author_kind=message.author_kind,
            author_id=message.author_id,
            author_name=message.author_name,
        )
        for f in files
    )
    for position, attachment in enumerate(attachments):
        await uow.attachments.add(attachment, position)
    return dataclasses.replace(message, attachments=attachments)


async def post_system_event(
    uow: UnitOfWork, issue: Issue, room: Room, text: str, *, channel: Channel = Channel.SYSTEM
) -> Message:
    """A line the system writes into the timeline (`channel`: what it is about)."""
    return await append_message(
        uow,
        issue,
        NewMessage(room=room, body=text, kind=MessageKind.EVENT, channel=channel),
        author_kind=AuthorKind.SYSTEM,
        author_id=None,
        author_name="caseroom",
        sender=None,
        now=utcnow(),
    )


async def list_messages(
    principal: Principal,
    uow: UnitOfWork,
    issue_id: str,
    room: Room,
    *,
    after: int | None,
    before: int | None,
    limit: int,
) -> Page:
    issue = await access_issue(principal, uow, issue_id)
    return await page_of(principal, uow, issue, room, after=after, before=before, limit=limit)


async def page_of(
    principal: Principal,
    uow: UnitOfWork,
    issue: Issue,
    room: Room,
    *,
    after: int | None,
    before: int | None,
    limit: int,
) -> Page:
    """A page of the messages of `room` the principal may read (404 if none)."""
    kinds = visible_kinds(principal, issue, room)
    if not kinds:
        raise NotFound("no such room")
    return await uow.messages.page(
        issue.org_id, issue.id, room, kinds, after=after, before=before, limit=limit
    )


async def announce_typing(principal: Principal, uow: UnitOfWork, issue_id: str, room: Room) -> None:
    """Typing is ephemeral: checked like a post, announced at once, never stored."""
    issue = await access_issue(principal, uow, issue_id)
    if not can_post(principal, issue, room, MessageKind.MESSAGE):
        raise NotFound("no such room")
    kind, author_id, name = actor_of(principal)
    uow.emit(events.typing(issue, room, {"kind": kind.value, "id": author_id, "name": name}))
