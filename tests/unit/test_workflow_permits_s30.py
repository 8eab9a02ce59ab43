"""Issue 21 (session 30): ``Ticket.can`` asks the workflow's compiled table (``Workflow.permits``) instead of
building the tuple of every allowed trigger, and ``Workflow.allowed`` is kept per state. Both must answer
exactly as the definition does, for every workflow, state and trigger, and for names it does not know."""

from __future__ import annotations

import pytest

from aftersales.domain.charges import QUOTE_WORKFLOW
from aftersales.domain.complaint_workflow import COMPLAINT_WORKFLOW
from aftersales.domain.materials_workflow import MATERIALS_WORKFLOW, RETURN_WORKFLOW
from aftersales.domain.ticket_workflow import TICKET_WORKFLOW
from aftersales.domain.workflow import Workflow
from aftersales.errors import InvalidTransition

from .factories import new_ticket

WORKFLOWS = [TICKET_WORKFLOW, COMPLAINT_WORKFLOW, QUOTE_WORKFLOW, MATERIALS_WORKFLOW, RETURN_WORKFLOW]


def _fires(workflow: Workflow, state: str, trigger: str) -> bool:
    try:
        workflow.target(state, trigger)
    except InvalidTransition:
        return False
    return True


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=lambda w: w.name)
def test_permits_and_allowed_agree_with_the_table(workflow: Workflow) -> None:
    for state in workflow.states:
        expected = tuple(t for t in workflow.triggers if _fires(workflow, state, t))
        assert workflow.allowed(state) == expected
        assert workflow.allowed(state) is workflow.allowed(state)  # kept: one tuple per state
        for trigger in workflow.triggers:
            assert workflow.permits(state, trigger) is (trigger in expected)
        assert workflow.permits(state, "no_such_step") is False


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=lambda w: w.name)
def test_an_unknown_state_allows_nothing_and_is_not_kept(workflow: Workflow) -> None:
    assert workflow.allowed("no_such_state") == ()
    assert not any(workflow.permits("no_such_state", t) for t in workflow.triggers)
    assert "no_such_state" not in workflow._allowed


def test_ticket_can_follows_its_state() -> None:
    ticket = new_ticket()
    for state in TICKET_WORKFLOW.states:
        ticket.state = state
        for trigger in TICKET_WORKFLOW.triggers:
            assert ticket.can(trigger) is (trigger in TICKET_WORKFLOW.allowed(state))
        assert not ticket.can("no_such_step")
