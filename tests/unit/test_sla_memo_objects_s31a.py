"""Issue 21 (session 31): what the SLA service keeps per ticket holds no empty container of its own. A
desk keeps an entry per live ticket; every object in it that the garbage collector tracks is visited by
each full collection, and an entry is made again by every command that measures. An empty set of approved
extensions and an empty list of priority changes were two such objects per ticket, each the same as the
next ticket's; now each is one shared empty value. The due times derived stay those of a fresh service."""

from __future__ import annotations

from aftersales.domain.classification import Category, Plan, Priority, Severity
from aftersales.domain.parties import CustomerTier
from aftersales.domain.sla_clock import sla_timeline
from aftersales.domain.work import Assessment

from .factories import AGENT, at, new_ticket
from .sla_memo_probe import CN, DUES, own_tracked, sla_service


def test_no_empty_container_is_kept_per_ticket() -> None:
    service = sla_service()
    tickets = [new_ticket("T-1"), new_ticket("T-2")]
    for ticket in tickets:
        ticket.triage(
            AGENT, at(2, 9, 7), Assessment("leak", Severity.HIGH, plan=Plan.ON_SITE), Priority.NORMAL
        )
        service.derive(ticket, CustomerTier.REGULAR, at(2, 9, 8))
    kept = [service._kept[t.id] for t in tickets]  # a unit test of the memo may look at it
    events = {id(e) for t in tickets for e in t.events}
    # What the two entries share (the policy's targets and decision, the calendar, the events) is not an
    # entry's own: count only what the first entry alone holds.
    other = {id(o) for o in own_tracked(kept[1], events | {id(kept[0])})}
    own = own_tracked(kept[0], events | other)
    assert own  # the entry itself, its timeline, the clocks measured
    assert [type(o).__name__ for o in own if isinstance(o, list | set | frozenset | dict) and not o] == []


def test_a_timeline_without_extensions_shares_the_empty_set_and_measures_the_same() -> None:
    service = sla_service()
    ticket = new_ticket()
    ticket.triage(AGENT, at(2, 9, 7), Assessment("leak", Severity.HIGH, plan=Plan.ON_SITE), Priority.NORMAL)
    targets = service._decide(ticket, CustomerTier.REGULAR)[1]  # type: ignore[index]
    one = sla_timeline(ticket.events, targets, CN)
    two = sla_timeline(list(ticket.events), targets, CN, extensions=[])
    assert one.status(at(3)) == two.status(at(3))
    approved = sla_timeline(ticket.events, targets, CN, extensions=["response"])
    assert approved.status(at(3)) == sla_timeline(
        ticket.events, targets, CN, extensions=("response",)
    ).status(at(3))


def test_dues_derived_with_the_memo_are_a_fresh_services() -> None:
    kept = sla_service()
    ticket = new_ticket()
    ticket.triage(AGENT, at(2, 9, 7), Assessment("leak", Severity.HIGH, plan=Plan.ON_SITE), Priority.NORMAL)
    kept.derive(ticket, CustomerTier.REGULAR, at(2, 9, 8))
    ticket.step("note_to_customer", AGENT, at(2, 10), reason="已联系")
    kept.derive(ticket, CustomerTier.REGULAR, at(2, 10, 1))
    ticket.reclassify(AGENT, at(2, 11), Category.INSTALLATION, "客户投诉升级", priority=Priority.CRITICAL)
    kept.derive(ticket, CustomerTier.REGULAR, at(2, 11, 1))
    copy = ticket.copy()
    sla_service().derive(copy, CustomerTier.REGULAR, at(2, 11, 1))
    assert [getattr(ticket, d) for d in DUES] == [getattr(copy, d) for d in DUES]
    assert ticket.response_due_at is not None
