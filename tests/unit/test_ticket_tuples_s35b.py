"""Session 35 (issue 21): a ticket's fault records, visits and notes are tuples, replaced whole by the
step that adds one. A store hands out a copy of its ticket to every command: the copy now shares them
where it made three lists, objects the garbage collector walked for as long as the ticket was kept. The
stored form is unchanged (JSON arrays, the same text: its digest is pinned here)."""

from __future__ import annotations

import hashlib

import attrs

from aftersales.domain.classification import Plan, Priority, Severity
from aftersales.domain.ticket import Ticket
from aftersales.domain.work import Assessment, Assignee, AssigneeKind, CustomerNote, FaultRecord, Visit
from aftersales.serialization import dumps, loads, ticket_text_utf8

from .factories import AGENT, ENGINEER, at, new_ticket

# dumps() of _worked(), and the text a store saves of it at version 3, as the release before session 35
# wrote them (lists then): the stored form is a contract.
STORED_DIGEST = "88abdcafbf468b4e782c1f430f1db68df3b1be94ce71cf5694a852ce44993693"
SAVED_DIGEST = "bb35ee873c127ed2a1b260279dec87a7184e41e82685be8dfe46039fa64922f9"


def _worked() -> Ticket:
    t = new_ticket()
    t.triage(AGENT, at(2, 9, 5), Assessment("no_flush", Severity.MEDIUM, plan=Plan.ON_SITE), Priority.NORMAL)
    t.assign(AGENT, at(2, 9, 10), Assignee(AssigneeKind.ENGINEER, "eng-1", "张工"))
    t.add_visit(ENGINEER, at(2, 13), Visit(at(2, 12), "eng-1", arrived_at=at(2, 12, 30)))
    t.step("start_work", ENGINEER, at(2, 14))
    t.record_fault(
        ENGINEER, at(2, 15), FaultRecord("no_flush", "valve_worn", "replace_valve", at(2, 15), ENGINEER)
    )
    t.note_to_customer(AGENT, at(2, 15, 30), CustomerNote("工程师已出发"))
    t.note_to_customer(AGENT, at(2, 15, 40), CustomerNote("内部备注", visible_to_customer=False))
    return t


def test_a_copy_shares_its_records_and_a_step_on_it_leaves_the_original_alone() -> None:
    t = _worked()
    copy = t.copy()
    for name in ("fault_records", "visits", "notes"):
        assert type(getattr(t, name)) is tuple
        assert getattr(copy, name) is getattr(t, name)
    assert copy.events == t.events and copy.events is not t.events  # the log still grows in place
    copy.note_to_customer(AGENT, at(2, 16), CustomerNote("已修好"))
    copy.record_fault(ENGINEER, at(2, 16), FaultRecord("leak", "seal", "replace_seal", at(2, 16), ENGINEER))
    assert [n.text for n in copy.notes] == ["工程师已出发", "内部备注", "已修好"]
    assert [n.text for n in t.notes] == ["工程师已出发", "内部备注"]
    assert (len(copy.fault_records), len(t.fault_records), len(t.events)) == (2, 1, 8)


def test_lists_given_are_kept_as_tuples_of_the_ticket_own() -> None:
    t = _worked()
    given = list(t.notes)
    made = attrs.evolve(t, notes=given, visits=list(t.visits), fault_records=list(t.fault_records))
    given.append(CustomerNote("后来加的"))
    assert made.notes == t.notes and type(made.notes) is tuple
    assert type(made.visits) is tuple and type(made.fault_records) is tuple


def test_the_stored_form_is_the_one_before() -> None:
    t = _worked()
    text = dumps(t)
    assert hashlib.sha256(text.encode()).hexdigest() == STORED_DIGEST
    back = loads(text, Ticket)
    assert type(back.notes) is tuple and back.notes == t.notes and back.visits == t.visits
    assert dumps(back) == text
    saved, _ = ticket_text_utf8(t, 3, None)
    assert hashlib.sha256(saved).hexdigest() == SAVED_DIGEST
