"""Triage and dispatch build their event's payload with its keys already in sorted order (issue 21):
the event then keeps it as given, instead of sorting a copy of it (``canonical``, a few µs a command).
The stored payload is the same either way."""

from __future__ import annotations

from typing import Any

import pytest
from tests.unit.factories import AGENT, at, new_ticket

from aftersales.domain import events
from aftersales.domain.classification import Plan, Priority, Severity
from aftersales.domain.reasons import Reason
from aftersales.domain.work import Assessment, Assignee, AssigneeKind


@pytest.fixture
def sorted_copies(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Every payload an event had to sort a copy of."""
    copied: list[Any] = []
    original = events.canonical

    def counting(value: Any) -> Any:
        copied.append(value)
        return original(value)

    monkeypatch.setattr(events, "canonical", counting)
    return copied


def _triaged(priority: Priority = Priority.EXPEDITED) -> Any:
    ticket = new_ticket()
    ticket.priority = Priority.NORMAL  # set at intake: the triage records it as the previous one
    assessment = Assessment("leak", Severity.MEDIUM, plan=Plan.ON_SITE)
    event = ticket.triage(AGENT, at(2, 10), assessment, priority, [Reason("r", {"z": 1, "a": 2})])
    return ticket, event


def test_a_triage_payload_is_kept_as_built_and_the_same(sorted_copies: list[Any]) -> None:
    _, event = _triaged()
    assert sorted_copies == []
    assert event.payload == {
        "plan": "on_site",
        "previous_priority": "normal",
        "priority": "expedited",
        "reasons": [{"code": "r", "params": {"a": 2, "z": 1}}],
        "severity": "medium",
    }
    assert list(event.payload) == sorted(event.payload)
    assert list(event.payload["reasons"][0]["params"]) == ["a", "z"]  # type: ignore[index,call-overload]


def test_a_dispatch_payload_is_kept_as_built_and_the_same(sorted_copies: list[Any]) -> None:
    ticket, _ = _triaged(Priority.NORMAL)
    first = ticket.assign(AGENT, at(2, 11), Assignee(AssigneeKind.DEALER, "dealer-sh", "浦东"), reasons=[])
    again = ticket.assign(
        AGENT,
        at(2, 12),
        Assignee(AssigneeKind.ENGINEER, "eng-1", "王"),
        dealer="dealer-sh",
        reasons=[],
        reason="nearer",
    )
    assert sorted_copies == []
    assert first.payload == {"assignee": {"id": "dealer-sh", "kind": "dealer", "name": "浦东"}, "reasons": []}
    assert again.payload == {
        "assignee": {"id": "eng-1", "kind": "engineer", "name": "王"},
        "dealer": "dealer-sh",
        "previous": {"id": "dealer-sh", "kind": "dealer"},
        "reasons": [],
    }
    for payload in (first.payload, again.payload):
        assert list(payload) == sorted(payload)
        assert list(payload["assignee"]) == sorted(payload["assignee"])  # type: ignore[arg-type]


def test_a_triage_payload_is_not_walked_for_its_order(monkeypatch: pytest.MonkeyPatch) -> None:
    # Session 36 (issue 21): built sorted at every depth (a reason's parameters are sorted by the reason
    # itself), so the event takes it without walking it to check (a tenth of a memory triage's CPU). Any
    # other step's payload is still checked, and sorted when it is not.
    walked: list[Any] = []
    original = events.is_canonical

    def counting(value: Any) -> bool:
        walked.append(value)
        return original(value)

    monkeypatch.setattr(events, "is_canonical", counting)
    ticket, event = _triaged()
    assert walked == []
    assert event.payload["reasons"] == [{"code": "r", "params": {"a": 2, "z": 1}}]
    assert list(event.payload["reasons"][0]["params"]) == ["a", "z"]  # type: ignore[index,call-overload]
    other = ticket.step("tag", AGENT, at(2, 12), payload={"removed": [], "added": ["b"]})
    assert walked == [{"removed": [], "added": ["b"]}] and list(other.payload) == ["added", "removed"]


def test_a_dispatch_payload_is_not_walked_for_its_order_s37c(monkeypatch: pytest.MonkeyPatch) -> None:
    # Session 37 (issue 21): a dispatch's payload is built sorted at every depth as a triage's is (the
    # assignee's keys, a reason's parameters), so it takes the triage's path: no walk, the same payload.
    walked: list[Any] = []
    original = events.is_canonical

    def counting(value: Any) -> bool:
        walked.append(value)
        return original(value)

    monkeypatch.setattr(events, "is_canonical", counting)
    ticket, _ = _triaged(Priority.NORMAL)
    first = ticket.assign(
        AGENT,
        at(2, 11),
        Assignee(AssigneeKind.DEALER, "dealer-sh", "浦东"),
        reasons=[Reason("dispatch_to_dealer", {"region": "SH", "dealer": "dealer-sh"})],
    )
    again = ticket.assign(
        AGENT, at(2, 12), Assignee(AssigneeKind.ENGINEER, "eng-1", "王"), dealer="dealer-sh", reason="nearer"
    )
    assert walked == []
    assert first.payload == {
        "assignee": {"id": "dealer-sh", "kind": "dealer", "name": "浦东"},
        "reasons": [{"code": "dispatch_to_dealer", "params": {"dealer": "dealer-sh", "region": "SH"}}],
    }
    assert list(first.payload["reasons"][0]["params"]) == ["dealer", "region"]  # type: ignore[index,call-overload]
    assert list(again.payload) == ["assignee", "dealer", "previous", "reasons"]
    assert ticket.events[-2:] == [first, again] and ticket.assignee == Assignee(
        AssigneeKind.ENGINEER, "eng-1", "王"
    )
