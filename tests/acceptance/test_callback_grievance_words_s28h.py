# mypy: disable-error-code="arg-type"
"""The customer's grievance at a callback, in their words, as long as the record keeps it (session 28).

Seed 004 第六条 3(3) asks at every callback 是否有其它不满意的地方; the checklist keeps the answer in the
customer's words (``CallbackChecklist.other_complaints``, up to 2,000 characters) and since session 27 it
sends a complaint back to investigating, reaches the archive and the month's feedback to the general
manager (第五条 1(6)). The desk's argument check took it for a one-line field: more than 200 characters,
or a second line (the agent noting two grievances), refused the whole callback ("checklist.other_complaints
is 591 characters long; at most 200 are allowed"), so the agent had to cut the customer's words short.
Now it is free text like the callback's comment: lines and up to the record's 2,000 characters; control
characters are still refused, and nothing is written then. Memory, SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest

from aftersales.domain.surveys import CallbackChecklist
from aftersales.errors import ValidationError
from aftersales.service.actors import Actor
from aftersales.service.desk import ServiceDesk
from conftest import SHANGHAI, World, world_desk

SAID = ("师傅说话很冲，" * 50) + "\n" + ("还多收了上门费。" * 30)


def _at(month: int, day: int, hour: int) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=SHANGHAI)


def _handled_complaint(desk: ServiceDesk, w: World) -> str:
    cid = desk.complaints.open_complaint(w.agent, w.cust_zh.id, "热水器漏水，维修后仍滴水").ticket.id
    desk.complaints.investigate(w.manager, cid)
    desk.complaints.propose_solution(w.manager, cid, solution="上门更换整机")
    desk.complaints.agree_solution(w.manager, cid)
    desk.complaints.give_feedback(w.manager, cid, outcome="已更换整机")
    return str(cid)


@pytest.mark.parametrize("backend", ["memory", "sqlite", "postgres"])
def test_a_long_grievance_on_two_lines_is_recorded_as_said(backend: str, tmp_path: Path) -> None:
    with world_desk(backend, tmp_path, pack="service_centre") as (desk, clock, w):
        clock.set(_at(2, 24, 10))
        cid = _handled_complaint(desk, w)
        clock.set(_at(3, 2, 10))
        before = len(desk.ticket(w.manager, cid).events)
        bell = CallbackChecklist(polite=False, other_complaints="师傅说话很冲\x07")
        with pytest.raises(ValidationError) as refused:
            desk.callbacks.record(w.agent, cid, checklist=bell, problem_back=False, satisfaction=5)
        assert refused.value.field == "checklist.other_complaints"
        assert len(desk.ticket(w.manager, cid).events) == before  # nothing written

        checklist = CallbackChecklist(product_works=True, polite=False, other_complaints=SAID)
        desk.callbacks.record(w.agent, cid, checklist=checklist, problem_back=False, satisfaction=5)

        ticket = desk.ticket(w.manager, cid)
        assert ticket.state == "investigating" and ticket.events[-1].reason == SAID
        (record,) = desk.callbacks.records(w.manager, cid)
        assert record.checklist.other_complaints == SAID
        (entry,) = desk.archives.customer_archive(w.manager, w.cust_zh.id).callbacks
        assert entry.other_complaints == SAID and entry.grievances == ("polite", "other_complaints")
        (line,) = desk.feedback.facts(w.general_manager, "2026-03").opinions
        assert line.other_complaints == SAID
        held = json.loads(desk.privacy.export_customer(w.manager, w.cust_zh.id))["data"]
        assert held["callback_record"][0]["checklist"]["other_complaints"] == SAID

        desk.privacy.erase_customer(
            Actor.privacy_officer("dpo"), w.cust_zh.id, "the customer asked", cancel_open_tickets=True
        )
        after = desk.privacy.export_customer(w.manager, w.cust_zh.id)
        assert "师傅说话很冲" not in after and "多收了上门费" not in after


def test_the_record_still_bounds_the_words() -> None:
    CallbackChecklist(other_complaints="很" * 2000)
    with pytest.raises(ValidationError) as refused:
        CallbackChecklist(other_complaints="很" * 2001)
    assert refused.value.field == "other_complaints"
