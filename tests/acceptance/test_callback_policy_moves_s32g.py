# mypy: disable-error-code="arg-type"
"""A pending callback re-planned by a customer's grade or a complaint's class follows the store's callback
policy (session 32 g). Memory (one store object shared by two desks), SQLite (one file), PostgreSQL.

Seed 001 三(七)1 (对于重大售后问题或重要客户…进行客户满意度调查): a pending callback follows the customer's
grade (session 31) and a complaint's class (session 30) in the command that changes them — by the desk's
callback policy. Session 28 refused a desk left on an old ``[callback]`` section after another desk moved the
store to a new one (a pack swap in a rolling restart) wherever it planned a callback; these two re-plans
were not checked: the old desk re-planned the survey by the old section, and no later sweep looked at it
again (the stamp already named the new policy). They are refused now (``ConfigurationError`` naming
``callback``, rule ``stamp_callback``), nothing written; the desk on the store's policy re-plans by it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import attrs
import pytest

from aftersales.adapters.clock import ManualClock
from aftersales.domain.classification import Category, Severity
from aftersales.domain.complaints import CrisisFacts, CrisisProblem, Recourse
from aftersales.domain.parties import CustomerTier
from aftersales.errors import ConfigurationError
from aftersales.policies.registry import resolve_policies
from aftersales.ports.calendars import open_calendar
from aftersales.ports.storage_registry import open_storage
from aftersales.ports.unit_of_work import StoreFactory
from aftersales.service.desk import ServiceDesk
from conftest import SHANGHAI, STAFF, World, make_world, register, store_url

BACKENDS = ["memory", "sqlite", "postgres"]
CRISIS = CrisisFacts(
    problems={CrisisProblem("property_loss")},
    economic_loss=True,
    recourse={Recourse.COMPENSATION_DEMANDED},
)


def _pack(tmp_path: Path, base: str, line: str) -> str:
    path = tmp_path / f"moved_{base}.toml"
    path.write_text(
        f'[pack]\nname = "moved_{base}"\nextends = "{base}"\n\n[callback]\n{line}\n', encoding="utf-8"
    )
    return str(path)


def _desk(store: StoreFactory, pack: str, clock: ManualClock) -> ServiceDesk:
    return ServiceDesk(
        store, policies=resolve_policies(pack), clock=clock, calendar=open_calendar("china_mainland"),
        staff=STAFF,
    )  # fmt: skip


@contextlib.contextmanager
def _two_desks(
    backend: str, tmp_path: Path, base: str, line: str
) -> Iterator[tuple[ServiceDesk, ServiceDesk, ManualClock, World]]:
    """A desk on ``base`` that stamped the store, and one on ``base`` with ``line`` in ``[callback]``
    whose sweep then moved the store to its policy."""
    clock, w = ManualClock(datetime(2026, 3, 2, 10, tzinfo=SHANGHAI)), make_world()
    with store_url(backend, tmp_path) as url:
        first = open_storage(url)
        second = first if backend == "memory" else open_storage(url)
        with _desk(first, base, clock) as old:
            register(old, w)
            assert not old.run_due_jobs().failed  # the store stamped with the base pack's policy
            with _desk(second, _pack(tmp_path, base, line), clock) as new:
                clock.advance(timedelta(minutes=6))
                assert not new.run_due_jobs().failed  # the new desk's sweep moves the store
                yield old, new, clock, w


def _tier(desk: ServiceDesk, customer_id: str) -> CustomerTier:
    with desk.store() as uow:
        return uow.customers.get(customer_id).tier


def _surveys(desk: ServiceDesk, w: World) -> dict[str, bool]:
    return {t.ticket_id: t.survey for t in desk.callbacks.pending(w.manager)}


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_grade_change_on_a_desk_left_on_the_old_callback_policy_is_refused(
    backend: str, tmp_path: Path
) -> None:
    # The new section surveys VIPs only; the old one (office_equipment) important customers too.
    with _two_desks(backend, tmp_path, "office_equipment", 'survey_tiers = ["vip"]') as (old, new, _, w):
        tid = new.open_ticket(
            w.agent, customer_id=w.cust_zh.id, description="复印机卡纸", category=Category.REPAIR
        ).ticket.id
        new.triage(w.agent, tid, nature="paper_feed", severity=Severity.LOW)
        new.dispatch(w.agent, tid, engineer_id=w.eng_junior.id)
        new.contact_customer(w.junior, tid, note="已联系客户，今日上门")
        new.start_work(w.junior, tid)
        new.resolve(w.junior, tid, summary="更换搓纸轮")
        assert _surveys(new, w) == {tid: False}
        important = attrs.evolve(w.cust_zh, tier=CustomerTier.IMPORTANT)
        with pytest.raises(ConfigurationError) as refused:  # it would plan a survey the store's pack asks not
            old.register_customer(w.manager, important)
        assert (refused.value.key, refused.value.rule) == ("callback", "stamp_callback")
        assert _surveys(new, w) == {tid: False}
        assert _tier(new, w.cust_zh.id) is CustomerTier.REGULAR  # nothing written
        new.register_customer(w.manager, important)  # on the store's policy: no survey for the grade
        assert _surveys(new, w) == {tid: False}
        assert _tier(new, w.cust_zh.id) is CustomerTier.IMPORTANT
        # a customer with no pending callback is re-graded on the old desk: nothing is planned for them
        old.register_customer(w.manager, attrs.evolve(w.cust_en, tier=CustomerTier.IMPORTANT))


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_complaint_classified_on_a_desk_left_on_the_old_callback_policy_is_refused(
    backend: str, tmp_path: Path
) -> None:
    # The new section asks no survey of a major complaint; the old one (service_centre) does.
    line = "survey_major_complaints = false"
    with _two_desks(backend, tmp_path, "service_centre", line) as (old, new, _, w):
        cid = new.complaints.open_complaint(w.agent, w.cust_zh.id, "维修后仍漏水").ticket.id
        new.complaints.investigate(w.agent, cid)
        new.complaints.propose_solution(w.agent, cid, solution="上门重修并赔偿地板")
        new.complaints.agree_solution(w.agent, cid)
        new.complaints.give_feedback(w.agent, cid, outcome="已重修, 地板已赔")
        assert _surveys(new, w) == {cid: False}
        before = new.ticket(w.manager, cid).version
        with pytest.raises(ConfigurationError) as refused:
            old.complaints.classify(w.manager, cid, crisis=CRISIS)
        assert (refused.value.key, refused.value.rule) == ("callback", "stamp_callback")
        assert new.ticket(w.manager, cid).version == before and _surveys(new, w) == {cid: False}
        new.complaints.classify(w.manager, cid, crisis=CRISIS)  # major; the store's policy owes no survey
        assert _surveys(new, w) == {cid: False}


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_callback_owed_to_a_new_vip_is_not_planned_by_the_old_callback_policy(
    backend: str, tmp_path: Path
) -> None:
    # The store's section calls back on no repair; the customer made VIP is owed one whatever it says, but
    # a desk on the old section would date and reason it by that section: refused there.
    line = 'not_needed_for = ["repair"]'
    with _two_desks(backend, tmp_path, "office_equipment", line) as (old, new, _, w):
        tid = new.open_ticket(
            w.agent, customer_id=w.cust_zh.id, description="复印机卡纸", category=Category.REPAIR
        ).ticket.id
        new.triage(w.agent, tid, nature="paper_feed", severity=Severity.LOW)
        new.dispatch(w.agent, tid, engineer_id=w.eng_junior.id)
        new.contact_customer(w.junior, tid, note="已联系客户，今日上门")
        new.start_work(w.junior, tid)
        new.resolve(w.junior, tid, summary="更换搓纸轮")
        assert _surveys(new, w) == {}
        vip = attrs.evolve(w.cust_zh, tier=CustomerTier.VIP)
        with pytest.raises(ConfigurationError) as refused:
            old.register_customer(w.manager, vip)
        assert (refused.value.key, refused.value.rule) == ("callback", "stamp_callback")
        assert _surveys(new, w) == {} and _tier(new, w.cust_zh.id) is CustomerTier.REGULAR
        new.register_customer(w.manager, vip)
        assert _surveys(new, w) == {tid: True}
