"""Domain and memo units behind tests/acceptance/test_lifecycle_s15.py and test_erasure_s15.py."""

from __future__ import annotations

from datetime import timedelta

import pytest

from aftersales.adapters.ticket_memo import TicketMemo
from aftersales.domain.classification import Plan, Priority, Severity
from aftersales.domain.ticket import CALLBACK_ATTEMPT_SPACING, Ticket
from aftersales.domain.work import Assessment, Assignee, AssigneeKind, FaultRecord
from aftersales.errors import InvalidTransition, ValidationError
from aftersales.ports.erasure import quotes_any
from aftersales.service.shared_values import ValueMemo

from .factories import AGENT, CUSTOMER, ENGINEER, at, new_ticket


def _accepted() -> Ticket:
    t = new_ticket()
    t.triage(AGENT, at(2, 9, 5), Assessment("no_flush", Severity.MEDIUM, plan=Plan.ON_SITE), Priority.NORMAL)
    t.assign(AGENT, at(2, 9, 10), Assignee(AssigneeKind.ENGINEER, "eng-1", "张工"))
    t.step("start_work", ENGINEER, at(2, 14))
    t.record_fault(ENGINEER, at(2, 15), FaultRecord("no_flush", "valve_worn", "replace", at(2, 15), ENGINEER))
    t.resolve(ENGINEER, at(2, 16))
    t.confirm(CUSTOMER, at(2, 17))
    return t


def test_a_failed_callback_attempt_within_the_spacing_of_the_last_is_refused_before_any_change() -> None:
    t = _accepted()
    t.callback_attempt(AGENT, at(3, 9), note="无人接听")
    events = list(t.events)
    for gap in (timedelta(0), CALLBACK_ATTEMPT_SPACING - timedelta(microseconds=1)):
        with pytest.raises(ValidationError) as refused:
            t.callback_attempt(AGENT, at(3, 9) + gap, note="无人接听")
        assert refused.value.field == "at"
    assert t.events == events and t.callback_attempts == 1
    t.callback_attempt(AGENT, at(3, 9) + CALLBACK_ATTEMPT_SPACING, note="无人接听")
    assert t.callback_attempts == 2


def test_the_spacing_counts_within_one_acceptance_and_never_hides_a_workflow_refusal() -> None:
    t = _accepted()
    t.callback_attempt(AGENT, at(3, 9), note="无人接听")
    t.reopen(AGENT, at(3, 9), "back")
    with pytest.raises(InvalidTransition):  # rework: no callback to attempt, whatever the time
        t.callback_attempt(AGENT, at(3, 9), note="无人接听")


def test_a_callback_on_a_cancelled_ticket_names_the_callback_as_refused() -> None:
    t = new_ticket()
    t.cancel(CUSTOMER, at(2, 10), "no longer needed")
    with pytest.raises(InvalidTransition) as refused:
        t.record_callback(AGENT, at(2, 11), problem_back=True)
    assert (refused.value.trigger, refused.value.ticket_id) == ("record_callback", t.id)
    assert [e.action for e in t.events] == ["opened", "cancel"]


def test_quotes_any_finds_a_needle_written_plainly_or_escaped_as_json() -> None:
    assert quotes_any('{"name":"张伟"}', ["张伟"])
    assert quotes_any('{"name":"\\u5f20\\u4f1f"}', ["张伟"])
    assert quotes_any(b'{"note":"say \\"hi\\" to Li"}', ['"hi"'])
    assert not quotes_any('{"name":"[erased]"}', ["张伟", "13912345678"])


def test_a_ticket_memo_forgets_by_id_and_by_quoted_text() -> None:
    memo = TicketMemo(8)
    kept, other = new_ticket(), new_ticket()
    memo.remember("a", '{"description":"张伟 13912345678"}', kept)
    memo.remember("b", "v1:xmin", other)
    memo.remember("c", '{"description":"leak"}', other)
    assert memo.forget(["b"], ["13912345678"]) == 2
    assert memo.peek("a") is None and memo.peek("b") is None and memo.peek("c") is not None


def test_a_value_memo_forgets_values_built_from_quoting_text() -> None:
    memo: ValueMemo[tuple[object, ...], str] = ValueMemo()
    memo.keep(("leak", "联系张伟"), "one")
    memo.keep(("leak", ""), "two")
    assert memo.forget(["张伟"]) == 1
    assert memo.recall(("leak", "联系张伟")) is None and memo.recall(("leak", "")) == "two"
