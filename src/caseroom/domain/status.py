"""The Issue status machine of the specification."""

from __future__ import annotations

from enum import StrEnum

from caseroom.domain.errors import IllegalTransition
from caseroom.domain.model import IssueStatus

S = IssueStatus


class Action(StrEnum):
    CLAIM = "claim"
    ASSIGN = "assign"
    RESOLVE = "resolve"
    REOPEN = "reopen"
    CANCEL = "cancel"
    CLOSE = "close"


OPEN_STATUSES = frozenset({S.UNCLAIMED, S.CLAIMED})
FINAL_STATUSES = frozenset({S.CLOSED, S.CANCELED})

# action -> statuses it may start from
_ALLOWED_FROM: dict[Action, frozenset[IssueStatus]] = {
    Action.CLAIM: frozenset({S.UNCLAIMED}),
    Action.ASSIGN: OPEN_STATUSES,
    Action.RESOLVE: frozenset({S.CLAIMED}),
    Action.REOPEN: frozenset({S.RESOLVED}),
    Action.CANCEL: OPEN_STATUSES,
    Action.CLOSE: frozenset({S.RESOLVED}),
}


def check_transition(current: IssueStatus, action: Action, *, has_owner: bool) -> IssueStatus:
    """Return the status `action` leads to from `current`, or raise IllegalTransition."""
    if current not in _ALLOWED_FROM[action]:
        allowed = ", ".join(sorted(s.value for s in _ALLOWED_FROM[action]))
        raise IllegalTransition(
            f"cannot {action.value} an Issue that is {current.value} (allowed from: {allowed})",
            current_status=current.value,
            action=action.value,
        )
    if action is Action.CLAIM:
        return S.CLAIMED
    if action is Action.ASSIGN or action is Action.REOPEN:
        return S.CLAIMED if has_owner else S.UNCLAIMED
    if action is Action.RESOLVE:
        return S.RESOLVED
    if action is Action.CANCEL:
        return S.CANCELED
    return S.CLOSED


def customer_message_outcome(current: IssueStatus) -> str:
    """What a Customer's new message does to an Issue in `current` status:
    'append' to it, 'reopen' it, or start a 'new' Issue linked to it."""
    if current in OPEN_STATUSES:
        return "append"
    if current is S.RESOLVED:
        return "reopen"
    return "new"
