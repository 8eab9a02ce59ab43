"""The runner renames a refused step after the command the caller ran (``dispatch``, not ``assign``);
the refusal keeps its class and its own facts, so a caller catching a subclass still catches it."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from aftersales.errors import FaultRecordRequired, InvalidTransition
from aftersales.service.runner import _named


def _fault(command: str = "resolve", ticket_id: str = "T-1") -> FaultRecordRequired:
    return FaultRecordRequired(
        workflow="service_ticket", state="in_progress", ticket_id=ticket_id, command=command, category="leak"
    )


def test_a_fault_record_refusal_renamed_keeps_its_class_field_and_category() -> None:
    ticket = SimpleNamespace(id="T-1")
    renamed = _named(_fault(), ticket, "knowledge.resolve_with_article")  # type: ignore[arg-type]
    assert type(renamed) is FaultRecordRequired
    assert renamed.field == "fault_records" and renamed.category == "leak"
    assert renamed.command == "knowledge.resolve_with_article" and renamed.ticket_id == "T-1"
    assert renamed.trigger == "resolve" and renamed.state == "in_progress"
    assert "knowledge.resolve_with_article" in str(renamed) and "fault record" in str(renamed)
    with pytest.raises(FaultRecordRequired):
        raise renamed


def test_the_ticket_id_is_filled_in_and_the_original_is_left_alone() -> None:
    original = InvalidTransition("service_ticket", "new", "assign")
    renamed = _named(original, SimpleNamespace(id="T-9"), "dispatch")  # type: ignore[arg-type]
    assert type(renamed) is InvalidTransition
    assert (renamed.ticket_id, renamed.command) == ("T-9", "dispatch")
    assert "its step 'assign' is not allowed there" in (renamed.why or "")
    assert original.ticket_id is None and original.command == "assign"


def test_renamed_copies_any_subclass_attribute() -> None:
    class Refused(InvalidTransition):
        def __init__(self, *, extra: str) -> None:
            super().__init__("wf", "s", "t")
            self.extra = extra

    renamed = Refused(extra="kept").renamed(ticket_id="T-2", command="c", why=None)
    assert type(renamed) is Refused and renamed.extra == "kept" and renamed.ticket_id == "T-2"
