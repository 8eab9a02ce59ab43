"""Issue 21 (session 32): the clocks the SLA service keeps per ticket are values the garbage collector
stops walking. A desk keeps an entry per live ticket, made again by every command that measures; each
object in it the collector tracks is visited by every full collection, and each one a command makes
counts towards the next full collection. A running clock was an object with slots (always tracked), and
the entry held its timeline in a tuple with the targets and calendar the timeline itself names; a log
without priority changes kept a tuple of its own holding an enum member. Now a running clock is a tuple
of ints, bools, instants and durations (untracked at the first collection), the timeline is kept alone,
and an unchanged log shares one value per priority. What the service derives and reports is unchanged."""

from __future__ import annotations

import gc
from datetime import timedelta

from aftersales.domain.classification import Plan, Priority, Severity
from aftersales.domain.parties import CustomerTier
from aftersales.domain.sla_clock import sla_status, sla_timeline
from aftersales.domain.ticket import Ticket
from aftersales.domain.work import Assessment

from .factories import AGENT, at, new_ticket
from .sla_memo_probe import CN, DUES, own_tracked, sla_service


def _triaged(ticket_id: str) -> Ticket:
    ticket = new_ticket(ticket_id)
    ticket.triage(AGENT, at(2, 9, 7), Assessment("leak", Severity.HIGH, plan=Plan.ON_SITE), Priority.NORMAL)
    return ticket


def test_an_entry_keeps_no_tracked_object_per_running_clock() -> None:
    service = sla_service()
    tickets = [_triaged("T-1"), _triaged("T-2")]
    for ticket in tickets:
        service.derive(ticket, CustomerTier.REGULAR, at(2, 9, 8))
    # The collections that stop tracking tuples of untracked values. One is not always enough: a tuple
    # holding tuples is let go only when the collector visits it after them, and which comes first
    # depends on the automatic collections that ran during the derivations (the allocations before this
    # test moved them): a second full collection finds every such tuple untracked whatever ran before.
    gc.collect()
    gc.collect()
    kept = [service._kept[t.id] for t in tickets]  # a unit test of the memo may look at it
    timeline = kept[0].measured
    assert timeline is not None
    running = [item for item in timeline._measured if isinstance(item, tuple)]
    assert running  # the response and resolution clocks run
    assert not any(gc.is_tracked(item) for item in running)
    events = {id(e) for t in tickets for e in t.events}
    other = {id(o) for o in own_tracked(kept[1], events | {id(kept[0])})}
    own = own_tracked(kept[0], events | other)
    # The entry, its timeline and the late-after instants with the targets and calendar they were found
    # for; the timeline's tuple of clocks holds only running clocks here (no pending status), so it is
    # let go as they are: before, also a Running per running clock, a (targets, calendar, timeline)
    # tuple and the priority in force with its empty changes.
    assert not gc.is_tracked(timeline._measured)
    assert sorted(type(o).__name__ for o in own) == ["SlaTimeline", "_Kept", "tuple"]
    assert {id(o) for o in own if type(o) is tuple} == {id(kept[0].late)}


def test_logs_without_priority_changes_share_one_value_per_priority() -> None:
    service = sla_service()
    one, two = _triaged("T-1"), _triaged("T-2")
    for ticket in (one, two):
        service.derive(ticket, CustomerTier.REGULAR, at(2, 9, 8))
    assert service._kept["T-1"].changes is service._kept["T-2"].changes
    assert service._kept["T-1"].changes == (Priority.NORMAL, ())


def test_statuses_from_the_kept_clocks_are_those_measured_afresh() -> None:
    """Running, paused (an open pause) and stopped clocks, working-time and wall-clock targets: the
    status the kept timeline gives at later instants is the one measured from the log at each."""
    service = sla_service()
    ticket = _triaged("T-1")
    service.derive(ticket, CustomerTier.REGULAR, at(2, 9, 8))
    found = service._decide(ticket, CustomerTier.REGULAR)
    assert found is not None
    targets = found[1]
    for later in (at(2, 9, 30), at(2, 17), at(3, 12), at(9, 8)):
        kept = service._timeline(ticket, targets, CN, later)
        assert kept.status(later) == sla_status(ticket.events, targets, CN, later)
        assert kept.due_instants(later) == {
            s.target.name: s.due_at for s in sla_status(ticket.events, targets, CN, later).targets
        }
    wall = sla_timeline(ticket.events, targets, CN).without_events()
    assert wall.status(at(2, 9, 8) + timedelta(days=40)) == sla_status(
        ticket.events, targets, CN, at(2, 9, 8) + timedelta(days=40)
    )


def test_dues_derived_through_the_memo_are_a_fresh_services() -> None:
    kept = sla_service()
    ticket = _triaged("T-1")
    kept.derive(ticket, CustomerTier.REGULAR, at(2, 9, 8))
    ticket.step("note_to_customer", AGENT, at(2, 10), reason="已联系")
    kept.derive(ticket, CustomerTier.REGULAR, at(2, 10, 1))
    copy = ticket.copy()
    sla_service().derive(copy, CustomerTier.REGULAR, at(2, 10, 1))
    assert [getattr(ticket, d) for d in DUES] == [getattr(copy, d) for d in DUES]
    assert ticket.resolution_due_at is not None
