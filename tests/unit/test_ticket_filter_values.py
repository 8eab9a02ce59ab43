"""A ledger filter that would filter nothing, or match nothing by a typo, is refused, not obeyed.

A host passing ``states=("registerd",)`` or ``text=""`` (an empty search box) got an empty list or
every ticket back, and could not tell that from an honest answer. The filter's values are checked when
it is made: a state is one of the workflows' states, a text filter has something in it.
"""

from __future__ import annotations

import pytest

from aftersales.domain.complaint_workflow import COMPLAINT_WORKFLOW
from aftersales.domain.ticket_workflow import TICKET_WORKFLOW
from aftersales.errors import ValidationError
from aftersales.ports.queries import TicketFilter


@pytest.mark.parametrize("state", ["registerd", "open", "Closed", ""])
def test_a_state_that_no_workflow_has_is_refused_naming_the_field(state: str) -> None:
    with pytest.raises(ValidationError) as caught:
        TicketFilter(states=("new", state))
    assert caught.value.field == "states"
    assert repr(state) in str(caught.value)


def test_every_state_of_both_workflows_is_a_filter_value() -> None:
    states = (*TICKET_WORKFLOW.states, *COMPLAINT_WORKFLOW.states)
    assert TicketFilter(states=states).states == states
    assert TicketFilter(states="closed").states == ("closed",)


@pytest.mark.parametrize("text", ["", "   ", "\u3000", "x" * 201])
def test_a_blank_or_over_long_text_filter_is_refused(text: str) -> None:
    with pytest.raises(ValidationError) as caught:
        TicketFilter(text=text)
    assert caught.value.field == "text"


def test_a_text_filter_keeps_its_text() -> None:
    assert TicketFilter(text=" 漏水 ").text == " 漏水 "


@pytest.mark.parametrize("priority", ["bogus", "Critical", "", 5])
def test_a_priority_that_is_none_of_the_grades_is_refused_naming_the_grades(priority: object) -> None:
    # Before: Python's own "'bogus' is not a valid Priority", which the CLI printed as it was.
    with pytest.raises(ValidationError) as caught:
        TicketFilter(priorities=("normal", priority))  # type: ignore[arg-type]
    assert caught.value.field == "priorities"
    assert "'normal', 'expedited', 'critical'" in str(caught.value)
