"""Who may see what. The one rule every delivery path (REST, websocket, search,
transcripts, email, webhooks, exports) asks; anything not granted here is denied."""

from __future__ import annotations

from dataclasses import dataclass
from typing import assert_never

from caseroom.domain.model import (
    AgentPrincipal,
    BotPrincipal,
    CustomerPrincipal,
    Issue,
    Message,
    MessageKind,
    Principal,
    Room,
)

_ALL_KINDS = frozenset(MessageKind)
_CUSTOMER_KINDS = frozenset({MessageKind.MESSAGE, MessageKind.EVENT})


@dataclass(frozen=True, slots=True)
class Scope:
    """Where a piece of content lives: enough to decide who may see it without
    loading anything. `room` and `kind` are None for Issue-level content;
    `agent_id` narrows it to one agent (their own notifications), and
    `connection_id` to one of their open connections (call signaling)."""

    org_id: str
    issue_id: str
    issue_customer_id: str
    room: Room | None = None
    kind: MessageKind | None = None
    agent_id: str | None = None
    connection_id: str | None = None


def may_see(principal: Principal, scope: Scope, *, connection_id: str | None = None) -> bool:
    """The rule. Agents: everything in their own organization while active, except
    what is addressed to another agent. Customers: their own (granted) Issues,
    public room only, never notes. Bots: what their grant names, nothing
    addressed to anyone. What is addressed to one connection is for that
    connection only (`connection_id`: the one asking, if any)."""
    if principal.org_id != scope.org_id:
        return False
    if scope.connection_id is not None and scope.connection_id != connection_id:
        return False
    match principal:
        case AgentPrincipal():
            return principal.agent.active and scope.agent_id in (None, principal.agent.id)
        case CustomerPrincipal():
            return _customer_may_see(principal, scope)
        case BotPrincipal():
            return _bot_may_see(principal, scope)
        case _:
            assert_never(principal)


def _customer_may_see(principal: CustomerPrincipal, scope: Scope) -> bool:
    if scope.agent_id is not None:
        return False
    if scope.issue_customer_id != principal.customer.id:
        return False
    if principal.issue_ids is not None and scope.issue_id not in principal.issue_ids:
        return False
    if scope.room is not None and scope.room is not Room.PUBLIC:
        return False
    return scope.kind is None or scope.kind in _CUSTOMER_KINDS


def _bot_may_see(principal: BotPrincipal, scope: Scope) -> bool:
    grant = principal.grant
    if not principal.bot.active or scope.agent_id is not None:
        return False
    if grant.issue_id is not None and scope.issue_id != grant.issue_id:
        return False
    if scope.room is not None and scope.room not in grant.read_rooms:
        return False
    return scope.kind is None or scope.kind in grant.read_kinds


def issue_scope(issue: Issue, room: Room | None = None, kind: MessageKind | None = None) -> Scope:
    return Scope(issue.org_id, issue.id, issue.customer_id, room, kind)


def can_see_issue(principal: Principal, issue: Issue) -> bool:
    return may_see(principal, issue_scope(issue))


def visible_kinds(principal: Principal, issue: Issue, room: Room) -> frozenset[MessageKind]:
    """The message kinds of `room` the principal may read; empty if the room is hidden."""
    return frozenset(k for k in MessageKind if may_see(principal, issue_scope(issue, room, k)))


def can_see_room(principal: Principal, issue: Issue, room: Room) -> bool:
    return bool(visible_kinds(principal, issue, room))


def can_see_message(principal: Principal, issue: Issue, message: Message) -> bool:
    if message.issue_id != issue.id or message.org_id != issue.org_id:
        return False
    return may_see(principal, issue_scope(issue, message.room, message.kind))


def can_post(principal: Principal, issue: Issue, room: Room, kind: MessageKind) -> bool:
    """Customers post plain messages to their own public room; agents post messages
    and notes to either room; bots plain messages where their grant lets them.
    Event messages are written by the system only."""
    if kind is MessageKind.EVENT:
        return False
    match principal:
        case AgentPrincipal():
            pass
        case CustomerPrincipal():
            if kind is not MessageKind.MESSAGE:
                return False
        case BotPrincipal():
            if kind is not MessageKind.MESSAGE or room not in principal.grant.post_rooms:
                return False
        case _:
            assert_never(principal)
    return may_see(principal, issue_scope(issue, room, kind))


@dataclass(frozen=True, slots=True)
class SearchReach:
    """What a principal's search may look in, read off `may_see`: the (room, kind)
    pairs of message text, and for a customer their own (granted) Issues only."""

    org_id: str
    rooms_kinds: frozenset[tuple[Room, MessageKind]]
    customer_id: str | None = None
    issue_ids: frozenset[str] | None = None


def search_reach(principal: Principal) -> SearchReach:
    """Customers: their own Issues; everyone else: the organization's. The rooms
    and kinds are those `may_see` grants on such an Issue, so search can never
    show text the room itself would not."""
    customer_id = issue_ids = None
    if isinstance(principal, CustomerPrincipal):
        customer_id = principal.customer.id
        issue_ids = principal.issue_ids
    probe_issue = "" if issue_ids is None else next(iter(issue_ids), "")
    if isinstance(principal, BotPrincipal) and principal.grant.issue_id is not None:
        probe_issue = principal.grant.issue_id
    probe_customer = customer_id or ""

    def granted(room: Room, kind: MessageKind) -> bool:
        scope = Scope(principal.org_id, probe_issue, probe_customer, room, kind)
        return may_see(principal, scope)

    pairs = frozenset((r, k) for r in Room for k in MessageKind if granted(r, k))
    return SearchReach(principal.org_id, pairs, customer_id, issue_ids)
