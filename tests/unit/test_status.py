from __future__ import annotations

import pytest

from caseroom.domain.errors import IllegalTransition
from caseroom.domain.model import IssueStatus as S
from caseroom.domain.status import Action, check_transition, customer_message_outcome

ALLOWED = {
    (S.UNCLAIMED, Action.CLAIM): S.CLAIMED,
    (S.UNCLAIMED, Action.ASSIGN): S.CLAIMED,
    (S.CLAIMED, Action.ASSIGN): S.CLAIMED,
    (S.CLAIMED, Action.RESOLVE): S.RESOLVED,
    (S.RESOLVED, Action.REOPEN): S.CLAIMED,
    (S.UNCLAIMED, Action.CANCEL): S.CANCELED,
    (S.CLAIMED, Action.CANCEL): S.CANCELED,
    (S.RESOLVED, Action.CLOSE): S.CLOSED,
}


@pytest.mark.parametrize("status", list(S))
@pytest.mark.parametrize("action", list(Action))
def test_every_pair_is_either_allowed_or_refused_with_a_reason(status: S, action: Action) -> None:
    expected = ALLOWED.get((status, action))
    if expected is None:
        with pytest.raises(IllegalTransition) as refused:
            check_transition(status, action, has_owner=True)
        assert status.value in refused.value.detail
        assert refused.value.extra == {"current_status": status.value, "action": action.value}
    else:
        assert check_transition(status, action, has_owner=True) is expected


def test_assigning_only_a_team_leaves_the_issue_unclaimed() -> None:
    assert check_transition(S.CLAIMED, Action.ASSIGN, has_owner=False) is S.UNCLAIMED


def test_reopening_an_issue_without_owner_puts_it_back_in_the_queue() -> None:
    assert check_transition(S.RESOLVED, Action.REOPEN, has_owner=False) is S.UNCLAIMED


def test_closed_and_canceled_issues_are_final() -> None:
    for status in (S.CLOSED, S.CANCELED):
        for action in Action:
            with pytest.raises(IllegalTransition):
                check_transition(status, action, has_owner=True)


@pytest.mark.parametrize(
    ("status", "outcome"),
    [
        (S.UNCLAIMED, "append"),
        (S.CLAIMED, "append"),
        (S.RESOLVED, "reopen"),
        (S.CLOSED, "new"),
        (S.CANCELED, "new"),
    ],
)
def test_what_a_customer_message_does(status: S, outcome: str) -> None:
    assert customer_message_outcome(status) == outcome
