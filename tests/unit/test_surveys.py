"""Callback checklist (seed 004) and the RATER satisfaction survey (seed 002)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aftersales.domain.ids import CustomerId, TicketId
from aftersales.domain.surveys import (
    CHECKLIST_ITEMS,
    RATER_DIMENSIONS,
    CallbackChecklist,
    CallbackRecord,
    CallbackTask,
    CallbackTaskState,
    SatisfactionSurvey,
)
from aftersales.errors import ValidationError
from aftersales.serialization import dumps, loads

from .factories import AGENT, at


def test_checklist_has_the_seed_questions_and_reports_answers() -> None:
    assert CHECKLIST_ITEMS == (
        "product_works",
        "engineer_tidy",
        "polite",
        "on_time",
        "charged_by_rules",
        "explained_usage",
        "cleaned_up",
    )
    checklist = CallbackChecklist(
        product_works=True, polite=False, cleaned_up=False, other_complaints="收费偏高"
    )
    assert checklist.answers() == {"product_works": True, "polite": False, "cleaned_up": False}
    assert checklist.failed == ("polite", "cleaned_up")
    with pytest.raises(ValidationError):
        CallbackChecklist(polite="yes")  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        CallbackChecklist(other_complaints="x" * 2001)


def test_survey_scores_the_five_rater_dimensions_and_overall() -> None:
    survey = SatisfactionSurvey(
        reliability=5, assurance=4, tangibles=3, empathy=2, responsiveness=4, overall=3
    )
    assert tuple(survey.dimensions()) == RATER_DIMENSIONS
    assert survey.dimensions()["empathy"] == 2
    assert survey.lowest == 2


@pytest.mark.parametrize("bad", [0, 6, True, 4.5, "5", None])
def test_survey_refuses_scores_outside_one_to_five(bad: object) -> None:
    with pytest.raises(ValidationError):
        SatisfactionSurvey(bad, 3, 3, 3, 3, 3)  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        SatisfactionSurvey(3, 3, 3, 3, 3, overall=bad)  # type: ignore[arg-type]


@given(scores=st.lists(st.integers(1, 5), min_size=6, max_size=6))
def test_survey_round_trips_and_lowest_is_the_minimum(scores: list[int]) -> None:
    survey = SatisfactionSurvey(*scores)
    assert survey.lowest == min(scores)
    assert loads(dumps(survey), SatisfactionSurvey) == survey


def test_callback_task_is_overdue_only_while_pending() -> None:
    task = CallbackTask(
        id="T-1:callback:1",
        ticket_id=TicketId("T-1"),
        customer_id=CustomerId("cust-1"),
        due_at=at(3),
        scheduled_at=at(2),
        scheduled_by=AGENT,
    )
    assert not task.overdue(at(3)) and task.overdue(at(3) + timedelta(seconds=1))
    task.state = CallbackTaskState.DONE
    assert not task.overdue(at(9))
    assert loads(dumps(task), CallbackTask) == task
    with pytest.raises(ValidationError):
        CallbackTask("x", TicketId("T"), CustomerId("c"), at(3), at(2), AGENT, state="forgotten")


def test_callback_record_keeps_checklist_and_survey() -> None:
    record = CallbackRecord(
        id="T-1:callback_record:1",
        ticket_id=TicketId("T-1"),
        customer_id=CustomerId("cust-1"),
        at=at(3),
        by=AGENT,
        checklist=CallbackChecklist(product_works=False),
        problem_back=True,
        survey=SatisfactionSurvey(4, 4, 4, 4, 4, 4),
    )
    assert loads(dumps(record), CallbackRecord) == record
