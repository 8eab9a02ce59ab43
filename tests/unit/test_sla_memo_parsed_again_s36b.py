"""Issue 21 (session 36): the SLA memo carries what it read of a ticket's log over to a ticket parsed again.

A desk keeps per ticket what its event log gave (reopenings, priority changes, clocks), and a command on
a grown log reads only the new events. A store that no longer keeps the ticket parsed (a SQLite desk's
ticket memo holds fewer tickets than the SLA memo) hands out equal events that are other objects: the
memo took the log as unknown and read every event again for its reopenings and priority changes. Equal
is enough, as it already was for a log that did not grow; the due times are a fresh service's."""

from __future__ import annotations

from typing import Any

import pytest

from aftersales.domain.classification import Plan, Priority, Severity
from aftersales.domain.parties import CustomerTier
from aftersales.domain.ticket import Ticket
from aftersales.domain.work import Assessment
from aftersales.serialization import dumps, loads
from aftersales.service import sla

from .factories import AGENT, at, new_ticket
from .sla_memo_probe import DUES, sla_service


def _regraded() -> Ticket:
    ticket = new_ticket("T-1")
    ticket.priority = Priority.NORMAL  # set at intake: the triage below changes it
    assessment = Assessment("leak", Severity.HIGH, plan=Plan.ON_SITE)
    ticket.triage(AGENT, at(2, 9, 7), assessment, Priority.EXPEDITED)
    return ticket


def test_a_log_parsed_again_is_read_from_its_new_events_only(monkeypatch: pytest.MonkeyPatch) -> None:
    service = sla_service()
    ticket = _regraded()
    service.derive(ticket, CustomerTier.REGULAR, at(2, 9, 8))
    kept = service._kept["T-1"]  # a unit test of the memo may look at it
    assert kept.changes is not None and kept.changes[1]  # the triage changed the priority
    parsed = loads(dumps(ticket), Ticket)  # what a store that no longer kept it hands out
    assert parsed.events == ticket.events and parsed.events[-1] is not ticket.events[-1]
    parsed.step("note_to_customer", AGENT, at(2, 10), reason="已联系")
    read: list[Any] = []
    whole = sla._priority_changes

    def counting(events: Any) -> Any:
        read.append(events)
        return whole(events)

    monkeypatch.setattr(sla, "_priority_changes", counting)
    service.derive(parsed, CustomerTier.REGULAR, at(2, 10, 1))
    assert read == []  # carried over: the note changes no priority
    assert service._kept["T-1"].changes is kept.changes
    fresh = loads(dumps(parsed), Ticket)
    sla_service().derive(fresh, CustomerTier.REGULAR, at(2, 10, 1))
    assert [getattr(parsed, d) for d in DUES] == [getattr(fresh, d) for d in DUES]
    assert parsed.resolution_due_at is not None


def test_a_log_whose_kept_beginning_differs_is_read_whole() -> None:
    service = sla_service()
    ticket = _regraded()
    service.derive(ticket, CustomerTier.REGULAR, at(2, 9, 8))
    other = new_ticket("T-1")  # another log under the same id (a store restored): nothing carried over
    other.step("note_to_customer", AGENT, at(2, 10), reason="已联系")
    other.step("note_to_customer", AGENT, at(2, 10, 5), reason="再次联系")
    service.derive(other, CustomerTier.REGULAR, at(2, 10, 6))
    assert service._kept["T-1"].changes == (Priority.NORMAL, ())
    fresh = loads(dumps(other), Ticket)
    sla_service().derive(fresh, CustomerTier.REGULAR, at(2, 10, 6))
    assert [getattr(other, d) for d in DUES] == [getattr(fresh, d) for d in DUES]
