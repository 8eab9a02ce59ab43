"""Issue 21, session 7: values commands share (an assessment, an assignee, a manual dispatch's reason)
are the values they would have built, refused where building refuses, and never built from other inputs."""

from __future__ import annotations

from typing import Any

import pytest

from aftersales.domain.classification import ImpactScope, Plan, Severity
from aftersales.domain.reasons import Reason
from aftersales.domain.work import Assessment, Assignee, AssigneeKind
from aftersales.errors import ValidationError
from aftersales.serialization import dumps
from aftersales.service.shared_values import ValueMemo, assessment, assignee, manual_dispatch_reason

ARGS = ("leak", Severity.MEDIUM, ImpactScope.SINGLE_UNIT, Plan.ON_SITE, 1, False, 1, None, "")


def test_equal_arguments_share_one_assessment_equal_to_a_fresh_one() -> None:
    first = assessment(*ARGS)
    assert assessment(*ARGS) is first
    assert first == Assessment(*ARGS) and dumps(first) == dumps(Assessment(*ARGS))
    other = assessment("leak", Severity.HIGH, ImpactScope.SINGLE_UNIT, Plan.ON_SITE, 1, False, 1, None, "")
    assert other is not first and other.severity is Severity.HIGH


def test_arguments_of_other_types_are_built_as_given_not_looked_up() -> None:
    shared = assessment(*ARGS)
    # Equal keys (True == 1, "medium" == Severity.MEDIUM) of other types: built, as Assessment would.
    as_text = assessment("leak", "medium", "single_unit", "on_site", 1, False, 1, None, "")  # type: ignore[arg-type]
    assert as_text is not shared and as_text == shared
    stopped: Any = 0  # an int where a bool goes: equal to False, but written 0
    as_int = assessment(
        "leak", Severity.MEDIUM, ImpactScope.SINGLE_UNIT, Plan.ON_SITE, 1, stopped, 1, None, ""
    )
    fresh = Assessment(
        "leak", Severity.MEDIUM, ImpactScope.SINGLE_UNIT, Plan.ON_SITE, 1, stopped, 1, None, ""
    )
    assert as_int is not shared and dumps(as_int) == dumps(fresh) != dumps(shared)


def test_a_refused_assessment_is_refused_every_time() -> None:
    for _ in range(2):
        with pytest.raises(ValidationError) as refused:
            assessment("Not A Code", *ARGS[1:])
        assert refused.value.field == "nature"
        with pytest.raises(ValidationError):
            assessment("leak", Severity.MEDIUM, ImpactScope.SINGLE_UNIT, Plan.ON_SITE, 0, False, 1, None, "")


def test_assignees_and_manual_reasons_are_shared_and_equal_to_fresh_ones() -> None:
    dealer = assignee(AssigneeKind.DEALER, "d1", "浦东特约")
    assert assignee(AssigneeKind.DEALER, "d1", "浦东特约") is dealer
    assert dealer == Assignee(AssigneeKind.DEALER, "d1", "浦东特约")
    assert assignee(AssigneeKind.DEALER, "d1", "改名后") != dealer  # a renamed dealer: a new value
    reason = manual_dispatch_reason("agent")
    assert manual_dispatch_reason("agent") is reason == Reason("dispatch_manual", {"by": "agent"})
    assert manual_dispatch_reason("manager").params == {"by": "manager"}


def test_a_full_memo_forgets_everything_and_keeps_answering() -> None:
    memo: ValueMemo[int, str] = ValueMemo(limit=2)
    assert memo.keep(1, "a") == "a" and memo.keep(2, "b") == "b"
    memo.keep(3, "c")  # full: 1 and 2 forgotten
    assert (memo.recall(1), memo.recall(2), memo.recall(3)) == (None, None, "c")
