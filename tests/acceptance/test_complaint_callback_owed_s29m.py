"""Seed 004 第八条 2(6): every handled complaint is called back within seven days, on memory, SQLite and
PostgreSQL (session 29, m).

用户投诉处理完毕后,应将处理结果登记好,并要求在投诉处理后的七天内进行回访和登记好回访的情况. Before,
``give_feedback(..., schedule_callback=False)`` on the service_centre pack left a regular customer's
general complaint handled with no callback owed: the host's switch silently took away what the pack
requires. Now it is a ``ValidationError`` naming ``schedule_callback`` wherever the pack's callback policy
owes the complaint a callback, nothing changed; a host callback policy owing none may still leave it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import attrs
import pytest

from aftersales.adapters.clock import ManualClock
from aftersales.adapters.notifiers import MemoryNotifier
from aftersales.domain.contact import Contact
from aftersales.domain.ids import CustomerId
from aftersales.domain.parties import Customer, CustomerTier
from aftersales.errors import ValidationError
from aftersales.i18n.errors import render_error
from aftersales.policies.callback import CallbackFacts
from aftersales.policies.registry import resolve_policies
from aftersales.service.actors import Actor
from aftersales.service.desk import ServiceDesk
from conftest import store_url

SHANGHAI = ZoneInfo("Asia/Shanghai")
START = datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI)
AGENT = Actor.agent("a1", "王客服")
MANAGER = Actor.manager("m1")
BACKENDS = ["memory", "sqlite", "postgres"]


class NoComplaintCallback:
    """A host's callback policy owing no callback to a complaint (the host calls back its own way)."""

    name = "host.no_complaint_callback"

    def __init__(self, pack: str) -> None:
        self.inner = resolve_policies(pack).callback

    def decide(self, facts: CallbackFacts) -> object:
        decision = self.inner.decide(facts)
        return attrs.evolve(decision, outcome=attrs.evolve(decision.outcome, required=False))


@contextlib.contextmanager
def _desk(backend: str, tmp_path: Path, pack: str, **options: Any) -> Iterator[ServiceDesk]:
    with (
        store_url(backend, tmp_path, "owed.db") as url,
        ServiceDesk.open(
            url, pack=pack, clock=ManualClock(START), notifier=MemoryNotifier(), **options
        ) as desk,
    ):
        contact = Contact("张三", phone="13800000000", address="上海市浦东新区 1 号")
        desk.register_customer(MANAGER, Customer(CustomerId("c1"), "张三", contact, CustomerTier.REGULAR))
        desk.register_customer(MANAGER, Customer(CustomerId("v1"), "王总", contact, CustomerTier.VIP))
        yield desk


def _implementing(desk: ServiceDesk, customer: str = "c1") -> str:
    """A general complaint (a regular customer's unless told), its solution agreed: ready for the feedback."""
    cid = desk.complaints.open_complaint(AGENT, customer, "上门迟到").ticket.id
    desk.complaints.investigate(MANAGER, cid)
    desk.complaints.propose_solution(MANAGER, cid, solution="致歉")
    desk.complaints.agree_solution(MANAGER, cid)
    return cid


def _state(desk: ServiceDesk, cid: str) -> tuple[Any, ...]:
    view = desk.ticket(MANAGER, cid)
    pending = [t.id for t in desk.callbacks.pending(MANAGER)]
    with desk.store() as uow:
        outbox = len(uow.outbox.pending(1000))
    return view.version, len(view.events), view.state, view.callback_due_at, pending, outbox


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("pack", ["service_centre", "general_maintenance"])
def test_a_regular_customers_complaint_is_not_left_without_its_callback(
    backend: str, pack: str, tmp_path: Path
) -> None:
    with _desk(backend, tmp_path, pack) as desk:
        cid = _implementing(desk)
        before = _state(desk, cid)
        with pytest.raises(ValidationError) as refused:
            desk.complaints.give_feedback(MANAGER, cid, outcome="已致歉", schedule_callback=False)
        assert refused.value.field == "schedule_callback"
        assert _state(desk, cid) == before  # nothing changed: still implementing, no callback
        assert "须回访" in render_error(refused.value, "zh_Hans")
        assert "須回訪" in render_error(refused.value, "zh_Hant")
        assert "owes this complaint a callback" in render_error(refused.value, "en")
        handled = desk.complaints.give_feedback(MANAGER, cid, outcome="已致歉")
        assert handled.ticket.state == "feedback_given"
        (task,) = desk.callbacks.pending(MANAGER)
        assert task.ticket_id == cid and task.due_at == handled.ticket.callback_due_at
        # 七天内: through the end of the seventh local day after the handling day.
        assert task.due_at == datetime(2026, 3, 10, 0, 0, tzinfo=SHANGHAI)


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_host_policy_owing_no_complaint_callback_may_leave_it_to_the_host(
    backend: str, tmp_path: Path
) -> None:
    overrides = {"callback": NoComplaintCallback("service_centre")}
    with _desk(backend, tmp_path, "service_centre", overrides=overrides) as desk:
        cid = _implementing(desk)
        quiet = desk.complaints.give_feedback(MANAGER, cid, outcome="已致歉", schedule_callback=False)
        assert quiet.ticket.state == "feedback_given" and quiet.ticket.callback_due_at is None
        assert desk.callbacks.pending(MANAGER) == []


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_vip_complaints_survey_is_refused_in_words_even_under_a_policy_owing_no_callback(
    backend: str, tmp_path: Path
) -> None:
    overrides = {"callback": NoComplaintCallback("service_centre")}
    with _desk(backend, tmp_path, "service_centre", overrides=overrides) as desk:
        cid = _implementing(desk, "v1")
        before = _state(desk, cid)
        with pytest.raises(ValidationError) as refused:
            desk.complaints.give_feedback(MANAGER, cid, outcome="已致歉", schedule_callback=False)
        assert refused.value.field == "schedule_callback" and _state(desk, cid) == before
        assert "满意度调查" in render_error(refused.value, "zh_Hans")
        assert "滿意度調查" in render_error(refused.value, "zh_Hant")
        assert "this complaint is owed a satisfaction survey" in render_error(refused.value, "en")
