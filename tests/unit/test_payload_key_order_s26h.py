"""The ticket's steps build their event payloads in sorted key order (issue 21, session 26).

A payload held out of order is sorted into a new dict when its event is made (domain.canonical): for a
note, a visit, a fault record, an attachment, a custom-field change and an SLA extension that was a copy
on every such command. Built in order, the event is the same and nothing is copied."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from tests.unit.factories import AGENT, ENGINEER, at, new_ticket

from aftersales.domain import events as events_module
from aftersales.domain.attachments import Attachment, AttachmentKind
from aftersales.domain.classification import Plan, Priority, Severity
from aftersales.domain.reasons import Reason
from aftersales.domain.ticket import Assessment, Assignee, AssigneeKind
from aftersales.domain.work import CustomerNote, FaultRecord, Visit


def test_step_payloads_are_built_in_sorted_key_order(monkeypatch: pytest.MonkeyPatch) -> None:
    sorted_for: list[Any] = []
    real = events_module.canonical

    def spy(value: Any, field: str = "payload") -> Any:
        sorted_for.append(dict(value))
        return real(value, field)

    monkeypatch.setattr(events_module, "canonical", spy)
    t = new_ticket()
    now = at(2, 10)
    t.triage(
        AGENT, now, Assessment("x", Severity.MEDIUM, plan=Plan.ON_SITE), Priority.NORMAL, [Reason("d", {})]
    )
    t.assign(AGENT, now, Assignee(AssigneeKind.ENGINEER, "eng-1", "E"))
    steps = [
        t.add_visit(ENGINEER, now, Visit(now + timedelta(hours=3), "eng-1")),
        t.note_to_customer(AGENT, now, CustomerNote("已安排工程师")),
        t.step("start_work", ENGINEER, now + timedelta(hours=3)),
        t.record_fault(
            ENGINEER,
            now + timedelta(hours=3),
            FaultRecord("leak", "worn", "replace", now, ENGINEER, part="P-1"),
        ),
        t.attach(
            AGENT,
            now + timedelta(hours=3),
            Attachment("a-1", AttachmentKind.PHOTO, "现场.jpg", "image/jpeg", 12, "0" * 64, now, AGENT),
        ),
        t.set_custom_fields(AGENT, now + timedelta(hours=3), {"model": "X1"}),
        t.extend_sla(
            AGENT, now + timedelta(hours=3), target="resolution", new_limit_seconds=7200, reason="parts"
        ),
    ]
    assert sorted_for == []  # no payload of these steps needed sorting
    for event in steps:
        assert event is not None
        assert list(event.payload) == sorted(event.payload), event.action
