"""The reporting row read after an earlier read of the same events (issue 21, session 28): a save reads
only the events it added, and the row is the one read from the whole history."""

from __future__ import annotations

from datetime import timedelta

import pytest

from aftersales.adapters.reporting_rows import fact_values, fact_values_after
from aftersales.domain.work import CustomerNote
from aftersales.testing.storage_contract import ENGINEER, contract_ticket


@pytest.mark.parametrize("state", ["new", "triaged", "assigned", "resolved", "closed", "cancelled"])
def test_facts_read_past_an_earlier_read_are_the_facts_of_the_whole_history(state: str) -> None:
    for n in range(1, 13):
        ticket = contract_ticket(n, state=state)
        at = ticket.last_event_at
        for k in range(3 if ticket.is_open else 0):  # a hidden note is no response: the fold carries it
            at += timedelta(minutes=7)
            ticket.note_to_customer(ENGINEER, at, CustomerNote(f"说明{k}", visible_to_customer=bool(k % 2)))
        events = ticket.events
        for k in range(1, len(events) + 1):
            head = ticket.copy()
            head.events = list(events[:k])
            _, read = fact_values_after(head, None)
            facts, after = fact_values_after(ticket, read)
            assert facts == fact_values(ticket), (state, n, k)
            assert (after.count, after.last_seq) == (len(events), events[-1].seq)


def test_a_read_that_does_not_describe_the_events_is_not_used() -> None:
    ticket = contract_ticket(3, state="assigned")
    _, read = fact_values_after(ticket, None)
    shorter = ticket.copy()
    shorter.events = list(ticket.events[:1])
    assert fact_values_after(shorter, read)[0] == fact_values(shorter)  # more events read than it has
    other_steps = ticket.copy()
    other_steps.response_steps = ("visit",)  # read by other response steps: read again
    assert fact_values_after(other_steps, read)[0] == fact_values(other_steps)
