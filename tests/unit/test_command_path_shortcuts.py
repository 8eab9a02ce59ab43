"""Issue 21 (the service layer's CPU per command): the memory store keeps what it wrote, a save writes
only new events, and pure policies are asked once per fact set — each shortcut keeps every answer."""

from __future__ import annotations

from datetime import timedelta

import attrs
import pytest

from aftersales.adapters.memory import MemoryStore
from aftersales.domain.classification import Category, Severity
from aftersales.domain.parties import CustomerTier
from aftersales.domain.ticket import Ticket
from aftersales.errors import ConcurrencyConflict, ValidationError
from aftersales.policies.decision import Decision
from aftersales.policies.triage import DefaultPriority, Triage, TriageFacts
from aftersales.serialization import dumps, loads
from aftersales.service.policy_memo import DecisionMemo

from .factories import AGENT, ENGINEER, at, new_ticket


def _stored(store: MemoryStore, ticket_id: str) -> Ticket:
    """The ticket parsed from the text the store holds (what a reader with no kept copy would get)."""
    record = store._data[("tickets", ticket_id)]
    ticket = loads(record.text, Ticket)
    ticket.version = record.version
    return ticket


def test_a_read_after_a_save_equals_the_stored_text_and_later_changes_do_not_leak() -> None:
    store = MemoryStore()
    with store() as uow:
        uow.tickets.add(new_ticket("T-1"))
        uow.commit()
    for hour, trigger in ((10, "triage"), (11, "assign"), (12, "start_work")):
        with store() as uow:
            ticket = uow.tickets.get("T-1")
            ticket.step(trigger, AGENT, at(2, hour))
            uow.tickets.save(ticket)
            uow.commit()
            # The caller goes on changing its object after the save: the store must not see it.
            ticket.state = "closed"
            ticket.events.append(ticket.events[-1])
    with store() as uow:
        read = uow.tickets.get("T-1")
    parsed = _stored(store, "T-1")
    assert read.state == parsed.state != "closed"
    assert [e.action for e in read.events] == [e.action for e in parsed.events]
    assert dumps(read) == dumps(parsed)
    assert read.version == parsed.version == 3


def test_a_save_appends_new_events_to_the_stored_text_without_rewriting_earlier_ones() -> None:
    store = MemoryStore()
    with store() as uow:
        uow.tickets.add(new_ticket("T-2"))
        uow.commit()
    with store() as uow:
        ticket = uow.tickets.get("T-2")
        ticket.step("triage", AGENT, at(2, 10))
        uow.tickets.save(ticket)
        # A second save in the same unit of work: the events stored by the first are kept verbatim.
        ticket.step("assign", AGENT, at(2, 11))
        uow.tickets.save(ticket)
        uow.commit()
    parsed = _stored(store, "T-2")
    assert [e.action for e in parsed.events] == ["opened", "triage", "assign"]
    assert [e.seq for e in parsed.events] == [0, 1, 2]
    assert parsed.version == 2


def test_a_ticket_whose_earlier_events_differ_from_the_stored_ones_is_written_whole() -> None:
    # A host (an import, a repair script) may save a ticket it built itself, with the stored version
    # but other first events: the store must write those events, not the ones it kept.
    store = MemoryStore()
    with store() as uow:
        uow.tickets.add(new_ticket("T-3"))
        uow.commit()
    with store() as uow:
        ticket = uow.tickets.get("T-3")
        first = ticket.events[0]
        ticket.events[0] = attrs.evolve(first, actor=ENGINEER, at=first.at + timedelta(minutes=5))
        uow.tickets.save(ticket)
        uow.commit()
    parsed = _stored(store, "T-3")
    assert parsed.events[0].actor == ENGINEER
    assert parsed.events[0].at == at(2) + timedelta(minutes=5)
    with store() as uow:
        assert uow.tickets.get("T-3").events[0].actor == ENGINEER


def test_a_stale_save_still_conflicts() -> None:
    store = MemoryStore()
    with store() as uow:
        uow.tickets.add(new_ticket("T-4"))
        uow.commit()
    with store() as first, store() as second:
        mine, theirs = first.tickets.get("T-4"), second.tickets.get("T-4")
        mine.step("triage", AGENT, at(2, 10))
        first.tickets.save(mine)
        first.commit()
        theirs.step("cancel", AGENT, at(2, 10), reason="duplicate")
        with pytest.raises(ConcurrencyConflict):  # the memory store checks the version at the save
            second.tickets.save(theirs)
    assert _stored(store, "T-4").state == mine.state


class _Counting:
    """A pure priority policy that counts how often it is asked."""

    def __init__(self) -> None:
        self.asked = 0
        self.inner = DefaultPriority()

    def decide(self, facts: TriageFacts) -> Decision[Triage]:
        self.asked += 1
        return self.inner.decide(facts)


def test_the_policy_memo_asks_once_per_fact_set_and_answers_as_the_policy_does() -> None:
    memo: DecisionMemo[TriageFacts, Decision[Triage]] = DecisionMemo()
    policy = _Counting()
    regular = TriageFacts(Category.REPAIR, CustomerTier.REGULAR, severity=Severity.MEDIUM)
    vip = TriageFacts(Category.REPAIR, CustomerTier.VIP, severity=Severity.MEDIUM)
    first = memo.decide(policy, regular)
    assert memo.decide(policy, TriageFacts(Category.REPAIR, severity=Severity.MEDIUM)) is first
    assert policy.asked == 1
    assert memo.decide(policy, vip) == DefaultPriority().decide(vip)
    assert memo.decide(policy, vip).outcome.priority is not first.outcome.priority
    assert policy.asked == 2


def test_the_policy_memo_never_answers_for_another_policy() -> None:
    memo: DecisionMemo[TriageFacts, Decision[Triage]] = DecisionMemo()
    facts = TriageFacts(Category.REPAIR, severity=Severity.MEDIUM)
    one, other = _Counting(), _Counting()
    memo.decide(one, facts)
    memo.decide(other, facts)
    assert (one.asked, other.asked) == (1, 1)


def test_a_full_policy_memo_still_asks_the_policy() -> None:
    memo: DecisionMemo[TriageFacts, Decision[Triage]] = DecisionMemo(limit=2)
    policy = _Counting()
    facts = [TriageFacts(Category.REPAIR, units_affected=n) for n in range(1, 6)]
    answers = [memo.decide(policy, f) for f in facts]
    again = [memo.decide(policy, f) for f in facts]
    assert answers == again == [DefaultPriority().decide(f) for f in facts]
    assert policy.asked == 2 + 2 * 3  # two remembered, three asked each time


def test_the_memo_by_values_builds_the_facts_once_and_answers_as_the_policy_does() -> None:
    # Issue 21 (session 8): triage keys the memo by the plain values; the facts object is built on a miss.
    memo: DecisionMemo[TriageFacts, Decision[Triage]] = DecisionMemo()
    policy, other = _Counting(), _Counting()
    built: list[TriageFacts] = []

    def facts_of(values: tuple[object, ...]) -> TriageFacts:
        made = TriageFacts(*values)  # type: ignore[arg-type]
        built.append(made)
        return made

    regular = (Category.REPAIR, CustomerTier.REGULAR, False, Severity.MEDIUM)
    vip = (Category.REPAIR, CustomerTier.VIP, False, Severity.MEDIUM)
    first = memo.decide_by(policy, regular, lambda: facts_of(regular))
    assert memo.decide_by(policy, regular, lambda: facts_of(regular)) is first
    assert (policy.asked, len(built)) == (1, 1)
    assert first == DefaultPriority().decide(TriageFacts(*regular))  # type: ignore[arg-type]
    assert memo.decide_by(policy, vip, lambda: facts_of(vip)) == DefaultPriority().decide(built[-1])
    memo.decide_by(other, regular, lambda: facts_of(regular))
    assert (policy.asked, other.asked, len(built)) == (2, 1, 3)
    # Values that make no valid facts are refused every time: nothing was remembered for them.
    for _ in range(2):
        with pytest.raises((ValidationError, TypeError, ValueError, AttributeError)):
            memo.decide_by(policy, ("not a category",), lambda: TriageFacts("not a category"))  # type: ignore[arg-type]
