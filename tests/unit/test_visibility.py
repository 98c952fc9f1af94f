"""The visibility rule, tested as a property: whatever the content, a Customer sees
only their own granted Issues' public non-note messages, and nobody crosses
organizations."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from caseroom.domain import events
from caseroom.domain.model import (
    Agent,
    AgentPrincipal,
    AuthorKind,
    Channel,
    Customer,
    CustomerPrincipal,
    Issue,
    IssueStatus,
    Message,
    MessageKind,
    Role,
    Room,
)
from caseroom.domain.visibility import (
    Scope,
    can_post,
    can_see_issue,
    can_see_message,
    may_see,
    visible_kinds,
)

NOW = datetime(2026, 1, 1, tzinfo=UTC)
ORGS = st.sampled_from(["org-a", "org-b"])
CUSTOMERS = st.sampled_from(["cust-1", "cust-2"])
ISSUES = st.sampled_from(["issue-1", "issue-2", "issue-3"])
ROOMS = st.sampled_from(list(Room)) | st.none()
KINDS = st.sampled_from(list(MessageKind)) | st.none()
SCOPES = st.builds(Scope, ORGS, ISSUES, CUSTOMERS, ROOMS, KINDS)
GRANTS = st.none() | st.frozensets(ISSUES, max_size=3)


def customer(org: str, customer_id: str, grants: frozenset[str] | None) -> CustomerPrincipal:
    return CustomerPrincipal(org, Customer(customer_id, org, "Casey"), grants)


def agent(org: str, active: bool = True) -> AgentPrincipal:
    return AgentPrincipal(org, Agent("agent-1", org, "a@x.example", "Ana", Role.AGENT, active))


def issue(org: str = "org-a", customer_id: str = "cust-1", issue_id: str = "issue-1") -> Issue:
    return Issue(
        issue_id, org, "ABC234", "Help", IssueStatus.CLAIMED, customer_id, Channel.CHAT, NOW
    )


def message(
    room: Room, kind: MessageKind, issue_id: str = "issue-1", org: str = "org-a"
) -> Message:
    return Message(
        "m1",
        org,
        issue_id,
        room,
        1,
        kind,
        Channel.CHAT,
        AuthorKind.AGENT,
        "agent-1",
        "Ana",
        "x",
        NOW,
    )


@given(SCOPES, ORGS, CUSTOMERS, GRANTS)
def test_a_customer_sees_only_public_non_note_content_of_their_granted_issues(
    scope: Scope, org: str, customer_id: str, grants: frozenset[str] | None
) -> None:
    allowed = may_see(customer(org, customer_id, grants), scope)
    expected = (
        scope.org_id == org
        and scope.issue_customer_id == customer_id
        and (grants is None or scope.issue_id in grants)
        and scope.room in (None, Room.PUBLIC)
        and scope.kind in (None, MessageKind.MESSAGE, MessageKind.EVENT)
    )
    assert allowed == expected


@given(SCOPES, ORGS, st.booleans())
def test_an_agent_sees_their_own_organization_only_and_only_while_active(
    scope: Scope, org: str, active: bool
) -> None:
    assert may_see(agent(org, active), scope) == (scope.org_id == org and active)


def test_customers_never_read_or_write_the_private_room() -> None:
    own = customer("org-a", "cust-1", None)
    assert visible_kinds(own, issue(), Room.PRIVATE) == frozenset()
    assert visible_kinds(own, issue(), Room.PUBLIC) == {MessageKind.MESSAGE, MessageKind.EVENT}
    assert not can_post(own, issue(), Room.PRIVATE, MessageKind.MESSAGE)
    assert not can_post(own, issue(), Room.PUBLIC, MessageKind.NOTE)
    assert can_post(own, issue(), Room.PUBLIC, MessageKind.MESSAGE)


def test_nobody_posts_system_events_by_hand() -> None:
    for principal in (agent("org-a"), customer("org-a", "cust-1", None)):
        assert not can_post(principal, issue(), Room.PUBLIC, MessageKind.EVENT)


def test_a_message_is_judged_with_its_own_issue() -> None:
    ana = agent("org-a")
    assert can_see_message(ana, issue(), message(Room.PRIVATE, MessageKind.NOTE))
    assert not can_see_message(ana, issue(), message(Room.PUBLIC, MessageKind.MESSAGE, "issue-2"))
    assert not can_see_issue(agent("org-b"), issue())


@given(st.sampled_from(list(Room)), st.sampled_from(list(MessageKind)), GRANTS)
def test_events_reach_a_customer_only_when_the_message_would(
    room: Room, kind: MessageKind, grants: frozenset[str] | None
) -> None:
    principal = customer("org-a", "cust-1", grants)
    event = events.message_created(issue(), message(room, kind))
    view = events.view_for(principal, event)
    assert (
        (view is not None)
        == can_see_message(principal, issue(), message(room, kind))
        == (
            room is Room.PUBLIC
            and kind is not MessageKind.NOTE
            and (grants is None or "issue-1" in grants)
        )
    )


def test_a_customer_receives_issue_updates_without_internal_fields() -> None:
    changed = events.issue_changed("issue.updated", issue(), ["status", "owner_agent_id"])
    view = events.view_for(customer("org-a", "cust-1", None), changed)
    assert view is not None
    assert set(view["payload"]["issue"]) == {
        "id",
        "reference",
        "subject",
        "status",
        "created_at",
        "resolved_at",
        "last_seq",
    }
    assert set(view["payload"]["issue"]["last_seq"]) == {"public"}
    assert view["payload"]["changes"] == ["status"]
    assert "issue_customer_id" not in view


def test_events_survive_the_broker_round_trip() -> None:
    event = events.message_created(issue(), message(Room.PRIVATE, MessageKind.NOTE))
    assert events.Event.from_wire(event.to_wire()) == event
