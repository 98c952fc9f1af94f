"""Bots through the one visibility rule, as properties: a bot reads nothing outside
its grant (other organizations, other Issues, rooms and kinds it was not given,
anything addressed to an agent), posts only where its grant lets it, and a
principal of every kind gets the view of an event that matches what it may see."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from caseroom.domain import events
from caseroom.domain.model import (
    Agent,
    AgentPrincipal,
    AuthorKind,
    Bot,
    BotGrant,
    BotKind,
    BotPrincipal,
    Channel,
    Customer,
    CustomerPrincipal,
    Issue,
    IssueStatus,
    Message,
    MessageKind,
    Principal,
    Role,
    Room,
)
from caseroom.domain.visibility import Scope, can_post, may_see

NOW = datetime(2026, 1, 1, tzinfo=UTC)
ORGS = st.sampled_from(["org-a", "org-b"])
ISSUES = st.sampled_from(["issue-1", "issue-2"])
ROOMS = st.sampled_from(list(Room))
KINDS = st.sampled_from(list(MessageKind))
SCOPES = st.builds(
    Scope,
    ORGS,
    ISSUES,
    st.sampled_from(["cust-1", "cust-2"]),
    ROOMS | st.none(),
    KINDS | st.none(),
    st.none() | st.just("agent-1"),
)
GRANTS = st.builds(
    BotGrant,
    st.none() | ISSUES,
    st.frozensets(ROOMS),
    st.frozensets(KINDS),
    st.frozensets(ROOMS),
)


def bot(grant: BotGrant, *, active: bool = True, kind: BotKind = BotKind.WEBHOOK) -> BotPrincipal:
    return BotPrincipal("org-a", Bot("bot-1", "org-a", "helper", "Helper", kind, active), grant)


def issue(issue_id: str = "issue-1") -> Issue:
    return Issue(
        issue_id, "org-a", "ABC234", "Help", IssueStatus.CLAIMED, "cust-1", Channel.CHAT, NOW
    )


@given(SCOPES, GRANTS, st.booleans())
def test_a_bot_reads_nothing_outside_its_grant(scope: Scope, grant: BotGrant, active: bool) -> None:
    seen = may_see(bot(grant, active=active), scope)
    inside = (
        active
        and scope.org_id == "org-a"
        and scope.agent_id is None
        and grant.issue_id in (None, scope.issue_id)
        and (scope.room is None or scope.room in grant.read_rooms)
        and (scope.kind is None or scope.kind in grant.read_kinds)
    )
    assert seen == inside


@given(SCOPES, ISSUES)
def test_a_welcome_bot_sees_what_the_customer_of_its_issue_sees_there(
    scope: Scope, served: str
) -> None:
    welcome = bot(BotGrant.welcome(served), kind=BotKind.WELCOME)
    customer = CustomerPrincipal("org-a", Customer(scope.issue_customer_id, "org-a", "Casey"))
    if may_see(welcome, scope):
        assert scope.issue_id == served
        assert may_see(customer, scope), "a welcome bot never sees more than the Customer"


@given(ISSUES, ROOMS, KINDS, GRANTS)
def test_a_bot_posts_only_plain_messages_where_its_grant_says(
    issue_id: str, room: Room, kind: MessageKind, grant: BotGrant
) -> None:
    allowed = can_post(bot(grant), issue(issue_id), room, kind)
    if allowed:
        assert kind is MessageKind.MESSAGE
        assert room in grant.post_rooms and room in grant.read_rooms
        assert grant.issue_id in (None, issue_id)


def test_an_assist_bot_answers_only_in_the_private_room_of_its_issue() -> None:
    assist = bot(BotGrant.assist("issue-1"), kind=BotKind.ASSIST)
    assert can_post(assist, issue("issue-1"), Room.PRIVATE, MessageKind.MESSAGE)
    assert not can_post(assist, issue("issue-1"), Room.PUBLIC, MessageKind.MESSAGE)
    assert not can_post(assist, issue("issue-2"), Room.PRIVATE, MessageKind.MESSAGE)
    assert not can_post(assist, issue("issue-1"), Room.PRIVATE, MessageKind.NOTE)


PRINCIPALS: list[Principal] = [
    AgentPrincipal("org-a", Agent("agent-1", "org-a", "a@x.example", "Ana", Role.AGENT)),
    CustomerPrincipal("org-a", Customer("cust-1", "org-a", "Casey")),
    bot(BotGrant.welcome("issue-1"), kind=BotKind.WELCOME),
    bot(BotGrant.assist("issue-1"), kind=BotKind.ASSIST),
]


@given(ROOMS, KINDS, st.sampled_from(PRINCIPALS))
def test_every_principal_gets_an_event_exactly_when_it_may_see_it(
    room: Room, kind: MessageKind, principal: Principal
) -> None:
    message = Message(
        "m-1", "org-a", "issue-1", room, 1, kind, Channel.CHAT, AuthorKind.AGENT, "agent-1",
        "Ana", "hello", NOW,
    )  # fmt: skip
    event = events.message_created(issue(), message)
    view = events.view_for(principal, event)
    assert (view is not None) == may_see(principal, event.scope)
    if view is not None and not events.sees_as_agent(principal):
        assert "change_seq" not in view["payload"]["message"]
