"""Random trigger sequences against the ticket workflow: the invariants always hold."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from aftersales.domain.ticket_workflow import TICKET_WORKFLOW
from aftersales.errors import InvalidTransition

from .factories import AGENT, at, new_ticket


class TicketMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.ticket = new_ticket()
        self.now = at(2)
        self.model_state = "new"

    @rule(trigger=st.sampled_from(TICKET_WORKFLOW.triggers), minutes=st.integers(0, 600))
    def fire(self, trigger: str, minutes: int) -> None:
        self.now += timedelta(minutes=minutes)
        before = (self.ticket.state, len(self.ticket.events))
        if trigger in TICKET_WORKFLOW.allowed(self.model_state):
            self.ticket.step(trigger, AGENT, self.now, reason="r")
            self.model_state = TICKET_WORKFLOW.target(self.model_state, trigger)
            assert len(self.ticket.events) == before[1] + 1
        else:
            try:
                self.ticket.step(trigger, AGENT, self.now, reason="r")
            except InvalidTransition as exc:
                assert exc.trigger == trigger
            else:
                raise AssertionError(f"{trigger} from {before[0]} should have raised")
            assert (self.ticket.state, len(self.ticket.events)) == before

    @invariant()
    def state_is_known(self) -> None:
        assert self.ticket.state in TICKET_WORKFLOW.states
        assert self.ticket.state == self.model_state

    @invariant()
    def log_replays_to_state(self) -> None:
        assert self.ticket.replay_state() == self.ticket.state

    @invariant()
    def log_is_in_time_order(self) -> None:
        times = [e.at for e in self.ticket.events]
        assert times == sorted(times)


TestTicketWorkflow = TicketMachine.TestCase
